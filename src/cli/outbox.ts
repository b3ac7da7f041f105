import { discardItem, listHeld, listItems, requeueAllDead, requeueItem, showItem, type ActionOutcome } from '../admin/outbox';
import type { OutboxItem } from '../store';
import { command, DEFAULT_CONFIG, TENANT_OPTION, EXIT, openConfiguredStore, resolveConfig, UsageError } from './common';

const ACTIONS = ['list', 'show', 'requeue', 'discard', 'held'];

export const outbox = command({
  name: 'outbox',
  usage: `  outbox list [--dead|--pending] [--topic T] [--limit N] [--after ID] [--config FILE] [--tenant ID]
  outbox show ID | requeue ID | requeue --all-dead [--topic T] | discard ID --reason TEXT
  outbox held [--kind location|evse|...]
        What is waiting or stuck in the configured store: outbox items (the messages to Hubject or
        the backend) with their attempts and last error; a dead letter can be requeued or discarded
        (the reason is kept); \`held\` lists what was accepted but is held back, and why.
`,
  options: {
    dead: { type: 'boolean', help: 'list: only dead letters (excludes --pending).' },
    pending: { type: 'boolean', help: 'list: only items waiting for delivery.' },
    topic: { type: 'string', value: 'T', help: 'list, requeue --all-dead: only this topic, e.g. oicp:ChargeDetailRecord.' },
    limit: { type: 'string', value: 'N', help: 'list, held: at most N lines (default 50).' },
    after: { type: 'string', value: 'ID', help: 'list: the items after this id (the next page).' },
    'all-dead': { type: 'boolean', help: 'requeue: every dead letter (of --topic) instead of one ID.' },
    reason: { type: 'string', value: 'TEXT', help: 'discard: why, kept with the item (required).' },
    kind: { type: 'string', value: 'K', help: 'held: only this kind (location, evse, ...).' },
    config: { type: 'string', value: 'FILE', help: `The configuration file (default ./${DEFAULT_CONFIG}, else the sandbox's store).` },
    tenant: TENANT_OPTION,
  },
  async run(options, positionals, io) {
    const [action, id, ...extra] = positionals;
    if (action === undefined || !ACTIONS.includes(action) || extra.length > 0) throw new UsageError(`outbox takes one of ${ACTIONS.join(', ')} (got ${positionals.join(' ') || 'none'})`);
    const needsId = action === 'show' || action === 'discard' || (action === 'requeue' && !options['all-dead']);
    const itemId = Number(id);
    if (needsId && !(Number.isInteger(itemId) && itemId > 0)) throw new UsageError(`outbox ${action} takes an item id (a positive number)`);
    if (!needsId && id !== undefined) throw new UsageError(`outbox ${action} takes no id`);
    if (action === 'discard' && !options.reason) throw new UsageError('outbox discard needs --reason TEXT: it is kept with the item');
    if (options.dead && options.pending) throw new UsageError('--dead and --pending exclude each other');
    const limit = options.limit === undefined ? 50 : Number(options.limit);
    if (!(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit takes a positive number');
    const resolved = resolveConfig({ config: options.config, tenant: options.tenant }, io, true, true);
    if (typeof resolved === 'number') return resolved;
    const { config } = resolved;
    const store = await openConfiguredStore(config, io, resolved.tenant);
    if (!store) return EXIT.failure;
    const outcome = (result: ActionOutcome, done: string) => {
      if (result.done) io.stdout.write(`${done}\n`);
      else io.stderr.write(`ocpi-oicp-bridge: ${result.reason}\n`);
      return result.done ? EXIT.ok : EXIT.failure;
    };
    try {
      switch (action) {
        case 'list': {
          const items = await listItems(store, { state: options.dead ? 'dead' : options.pending ? 'pending' : undefined, topic: options.topic, limit, afterId: options.after === undefined ? undefined : Number(options.after) });
          io.stdout.write(items.length === 0 ? 'no outbox items match\n' : `${items.map(describeItem).join('\n')}\n`);
          if (items.length === limit) io.stdout.write(`(more with --after ${items.at(-1)!.id})\n`);
          return EXIT.ok;
        }
        case 'show': {
          const item = await showItem(store, itemId);
          if (!item) return outcome({ done: false, reason: `no outbox item ${itemId}` }, '');
          io.stdout.write(`${JSON.stringify(item, null, 2)}\n`);
          return EXIT.ok;
        }
        case 'requeue':
          if (options['all-dead']) {
            io.stdout.write(`${await requeueAllDead(store, options.topic)} dead letter(s) requeued\n`);
            return EXIT.ok;
          }
          return outcome(await requeueItem(store, itemId), `item ${itemId} requeued: due now, with a fresh set of attempts`);
        case 'discard':
          return outcome(await discardItem(store, itemId, options.reason!), `item ${itemId} discarded`);
        default: {
          const held = await listHeld(store, { kind: options.kind, limit });
          io.stdout.write(held.length === 0 ? 'nothing is held back\n' : `${held.map((h) => `${h.kind} ${h.ref}: ${h.reason} (since ${new Date(h.createdAt).toISOString()})`).join('\n')}\n`);
          return EXIT.ok;
        }
      }
    } finally {
      await store.close();
    }
  },
});

function describeItem(item: OutboxItem): string {
  const when = item.state === 'pending' ? `due ${new Date(item.dueAt).toISOString()}` : `since ${new Date(item.updatedAt).toISOString()}`;
  const error = item.lastError ? ` — ${item.lastError.length > 160 ? `${item.lastError.slice(0, 157)}...` : item.lastError}` : '';
  const resolution = item.resolution ? ` — discarded: ${item.resolution}` : '';
  return `#${item.id} ${item.topic} ${item.state} attempts ${item.attempts} ${when}${item.key ? ` key ${item.key}` : ''}${error}${resolution}`;
}
