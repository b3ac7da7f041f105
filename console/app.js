// The operator console's script: a plain ES module, no build. It reads the admin API with the token
// the operator typed (kept in this tab's sessionStorage only) and fills the page's regions. Data is
// only ever put in the page as text (textContent), never as HTML.

const TOKEN_KEY = 'bridge-admin-token';
const $ = (id) => document.getElementById(id);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

function say(message) {
  $('status').textContent = message;
}

// A tenant's console is its page under /tenants/{id}/: its API calls go there too.
const BASE = (/^\/tenants\/[^/]+/.exec(document.location.pathname) ?? [''])[0];

async function api(method, path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new Error('enter the admin token first');
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }) },
    body: body && JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    if (response.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    throw new Error(response.status === 401 ? 'the admin token was refused' : (answer.detail ?? answer.title));
  }
  return answer;
}

const time = (iso) => new Date(iso).toLocaleString();

function table(caption, headings, rows) {
  return element(
    'table',
    {},
    element('caption', { text: caption }),
    element('thead', {}, element('tr', {}, ...headings.map((h) => element('th', { scope: 'col', text: h })))),
    element('tbody', {}, ...rows.map((cells) => element('tr', {}, ...cells.map((c) => (c instanceof Node ? element('td', {}, c) : element('td', { text: String(c ?? '') })))))),
  );
}

async function showOverview() {
  const o = await api('GET', '/admin/overview');
  const body = $('overview-body');
  body.replaceChildren(
    element(
      'dl',
      { class: 'identity' },
      element('dt', { text: 'Tenant' }),
      element(
        'dd',
        {},
        o.tenant,
        // The other tenants' consoles, on this listener (the token is the same).
        ...o.tenants.filter((t) => t !== o.tenant).flatMap((t) => [' · ', element('a', { href: `/tenants/${encodeURIComponent(t)}/`, text: t })]),
      ),
      element('dt', { text: 'OICP' }),
      element('dd', { text: `${o.oicp.role} ${o.oicp.id ?? ''} · ${o.oicp.environment} · ${o.oicp.protocol} · ${o.oicp.baseUrl}` }),
      element('dt', { text: 'OCPI' }),
      element('dd', { text: `${o.ocpi.countryCode}*${o.ocpi.partyId} as ${o.ocpi.roles.join(', ')} · versions ${o.ocpi.versions.join(', ')}` }),
      element('dt', { text: 'Trace' }),
      element('dd', { text: o.trace.enabled ? `recorded${o.trace.dropped > 0 ? ` (${o.trace.dropped} events dropped)` : ''}` : 'off' }),
    ),
    table('OCPI parties', ['Party', 'State', 'Version', 'Roles', 'Updated'], o.parties.map((p) => [p.id, p.state, p.version ?? '', p.roles.map((r) => `${r.role} ${r.countryCode}*${r.partyId}`).join(', '), time(p.updatedAt)])),
    table('Outbox: waiting and dead, per topic', ['Topic', 'State', 'Items'], o.outbox.length === 0 ? [['(empty)', '', '']] : o.outbox.map((d) => [d.topic, d.state, d.count])),
    table('Held back, per kind', ['Kind', 'Items'], Object.keys(o.held).length === 0 ? [['(none)', '']] : Object.entries(o.held)),
    table(
      'Jobs',
      ['Job', 'Every', 'Last run', 'Outcome', ''],
      o.jobs.map((j) => [
        j.name,
        j.everyMs === 0 ? 'on demand' : `${Math.round(j.everyMs / 60000)} min`,
        j.last ? time(j.last.startedAt) : 'never',
        j.last ? `${j.last.outcome}${j.last.error ? `: ${j.last.error}` : ''}` : '',
        element('button', { type: 'button', text: `Run ${j.name} now`, onclick: () => act(() => api('POST', `/admin/jobs/${encodeURIComponent(j.name)}/run`), `${j.name} started`) }),
      ]),
    ),
  );
}

function summaryLine(e) {
  const first = e.first;
  const arrow = first.direction === 'in' ? '→ bridge' : first.direction === 'out' ? 'bridge →' : '·';
  return `${time(e.startedAt)} · ${first.protocol.toUpperCase()} ${arrow} ${first.name}${first.status ? ` (${first.status})` : ''} · ${e.events} events`;
}

async function search(ref) {
  const query = ref ? `?ref=${encodeURIComponent(ref)}` : '';
  const { exchanges } = await api('GET', `/admin/exchanges${query}`);
  $('results-title').textContent = ref ? `Exchanges carrying ${ref} (${exchanges.length})` : 'Latest exchanges';
  $('results').replaceChildren(
    ...exchanges.map((e) => element('li', {}, element('button', { type: 'button', class: 'link', text: summaryLine(e), 'data-correlation-id': e.correlationId, onclick: () => act(() => openExchange(e.correlationId)) }))),
  );
  if (exchanges.length === 0) $('results').append(element('li', { text: 'No exchange found.' }));
}

/** The value a finding's path names in a message (`evses[0].connectors[1].standard`). */
function valueAt(message, path) {
  let node = message;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[/^[0-9]+$/.test(part) ? Number(part) : part];
  }
  return node;
}

function eventCard(event, start) {
  const offset = `+${Math.max(0, new Date(event.at) - start)} ms`;
  const arrow = event.direction === 'in' ? 'received' : event.direction === 'out' ? 'sent' : event.kind;
  const card = element(
    'article',
    { class: `event ${event.kind}`, 'aria-label': `${event.protocol} ${event.kind} ${event.name}` },
    element('h4', { text: `${offset} · ${arrow} · ${event.name}${event.status ? ` → ${event.status}` : ''}` }),
    event.outboxId !== null ? element('p', { text: `outbox item ${event.outboxId}` }) : undefined,
    event.note ? element('p', { class: 'note', text: event.note }) : undefined,
  );
  if (event.request !== undefined) card.append(element('details', { open: event.protocol !== 'bridge' }, element('summary', { text: { enqueued: 'Mapped message', delivery: 'Attempt' }[event.kind] ?? 'Request' }), element('pre', { text: JSON.stringify(event.request, null, 2) })));
  if (event.response !== undefined) card.append(element('details', { open: true }, element('summary', { text: 'Answer' }), element('pre', { text: JSON.stringify(event.response, null, 2) })));
  return card;
}

async function openExchange(correlationId) {
  const { events } = await api('GET', `/admin/exchanges/${encodeURIComponent(correlationId)}`);
  const start = new Date(events[0].at);
  const inbound = events.find((e) => e.direction === 'in' && e.request !== undefined)?.request;
  const sides = { ocpi: [], bridge: [], oicp: [] };
  for (const event of events) {
    const card = eventCard(event, start);
    if (event.findings?.length) {
      card.append(
        element(
          'ul',
          { class: 'findings', 'aria-label': 'Findings' },
          ...event.findings.map((f) => {
            const value = inbound === undefined ? undefined : valueAt(inbound, f.path);
            return element('li', { class: `finding ${f.kind}` }, element('strong', { text: `${f.kind} ` }), element('code', { text: f.path || '(message)' }), value === undefined ? undefined : element('code', { class: 'value', text: ` = ${JSON.stringify(value)}` }), element('span', { text: ` — ${f.message}` }));
          }),
        ),
      );
    }
    sides[event.protocol].push(card);
  }
  $('side-ocpi').replaceChildren(...sides.ocpi);
  $('side-bridge').replaceChildren(...sides.bridge);
  $('side-oicp').replaceChildren(...sides.oicp);
  $('exchange-title').textContent = `Exchange ${correlationId}`;
  $('exchange').hidden = false;
  $('exchange-title').focus();
}

async function showHeld() {
  const { held, deadLetters } = await api('GET', '/admin/held');
  $('dead-letters').replaceChildren(
    deadLetters.length === 0
      ? element('p', { text: 'No dead letters.' })
      : table(
          'Dead letters: given up after their attempts or refused for good',
          ['Item', 'Topic', 'Last error', 'Since', 'Actions'],
          deadLetters.map((item) => {
            const reasonId = `reason-${item.id}`;
            return [
              String(item.id),
              item.topic,
              item.lastError ?? '',
              time(item.updatedAt),
              element(
                'div',
                { class: 'actions' },
                element('button', { type: 'button', text: `Requeue item ${item.id}`, onclick: () => act(() => api('POST', `/admin/outbox/${item.id}/requeue`), `item ${item.id} requeued`) }),
                element('label', { for: reasonId, text: 'Reason' }),
                element('input', { id: reasonId, type: 'text', maxlength: '2000' }),
                element('button', {
                  type: 'button',
                  text: `Discard item ${item.id}`,
                  onclick: () => act(() => api('POST', `/admin/outbox/${item.id}/discard`, { reason: $(reasonId).value }), `item ${item.id} discarded`),
                }),
              ),
            ];
          }),
        ),
  );
  $('held-items').replaceChildren(
    held.length === 0 ? element('p', { text: 'Nothing held back.' }) : table('Accepted from a peer but not forwarded, and why', ['Kind', 'Which', 'Reason', 'Details', 'Since'], held.map((h) => [h.kind, h.ref, h.reason, element('pre', { text: JSON.stringify(h.details, null, 2) }), time(h.createdAt)])),
  );
}

async function refresh() {
  await Promise.all([showOverview(), search($('ref').value.trim()), showHeld()]);
}

/** Runs an action, reports its outcome in the status region, and shows the bridge as it is after it. */
async function act(action, done) {
  try {
    await action();
    if (done) {
      say(done);
      await refresh();
    }
  } catch (error) {
    say(`Not done: ${error.message}`);
  }
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value);
  $('token').value = '';
  act(refresh, 'Connected.');
});
$('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  act(async () => {
    await search($('ref').value.trim());
    $('results-title').focus();
  });
});
if (sessionStorage.getItem(TOKEN_KEY)) act(refresh);
