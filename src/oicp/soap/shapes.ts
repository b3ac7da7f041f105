/**
 * Answers whose 2.x XML is shaped unlike their 2.3 JSON: OICP 2.x had no pages. A pulled EVSE data
 * page is written as 2.x grouped it (eRoamingEvseData / EvseData / OperatorEvseData per operator),
 * and a page of CDRs as the list of eRoamingChargeDetailRecord elements. The page's numbers travel in
 * a SOAP header of this bridge's own (`Page`, not mustUnderstand, so 2.x clients ignore it); an answer
 * without it, as Hubject's 2.x answered, is one complete page. The shapes are TypeBox schemas built
 * from the same record schemas, so the plans, the XSDs and the JSON still have one model.
 */
// Deliberate deviations from the specifications here, each explained and tested in its registry: soap-page-header (src/oicp/errata.ts).
import { Type, type TSchema } from '@sinclair/typebox';
import { FindingLog, type Finding } from '../../core/findings';
import { operatorOfEvseId } from '../../mapping/identifiers';
import { EvseDataPage, type ChargeDetailRecordPage } from '../wire/messages';
import type { OperationName } from '../wire/operations';
import { EvseDataRecord, OperatorId } from '../wire/schemas';
import { ChargeDetailRecord, StatusCode } from '../wire/transaction-schemas';

export const PAGE_HEADER = { namespace: 'urn:ocpi-oicp-bridge:soap:page:1', prefix: 'Page', element: 'Page' };

/** The page without its content; the StatusCode only where the 2.x answer has none of its own (the CDR list). */
export const PageHeader = Type.Composite([Type.Omit(EvseDataPage, ['content', 'StatusCode']), Type.Object({ StatusCode: Type.Optional(StatusCode) })]);
type PageHeader = Omit<EvseDataPage, 'content' | 'StatusCode'> & { StatusCode?: EvseDataPage['StatusCode'] };

interface AnswerShape {
  /** The XML form's schema (its body element's content). */
  schema: TSchema;
  toXml(answer: unknown): { body: unknown; header: PageHeader };
  /** The 2.3 answer from the XML form and the page header, if the answer had one. */
  fromXml(body: unknown, header: PageHeader | undefined): { value: unknown; findings: Finding[] };
}

const OperatorEvseData = Type.Object({ OperatorID: OperatorId, OperatorName: Type.Optional(Type.String({ maxLength: 100 })), EvseDataRecord: Type.Array(EvseDataRecord) });
const GroupedEvseData = Type.Object({ EvseData: Type.Object({ OperatorEvseData: Type.Array(OperatorEvseData) }), StatusCode: Type.Optional(StatusCode) });
const ChargeDetailRecordList = Type.Object({ eRoamingChargeDetailRecord: Type.Array(ChargeDetailRecord) });

type Page<T> = { content: T[]; StatusCode?: EvseDataPage['StatusCode'] } & Omit<PageHeader, 'StatusCode'>;

/** The page without its content (and without the StatusCode where the body has one): members outside the schema stay, so the writer says they are lost. */
function headerOf<T>(page: Page<T>, withStatus: boolean): PageHeader {
  const { content, StatusCode, ...header } = page;
  void content;
  return { ...header, ...(withStatus && StatusCode ? { StatusCode } : {}) };
}

/** The page around `content`: the header's numbers, or one complete page (said) when the answer had none. */
function pageOf<T>(content: T[], header: PageHeader | undefined, log: FindingLog): Page<T> {
  if (header) return { content, ...header };
  log.defaulted('', 'no page header (an OICP 2.x answer): read as the one complete page');
  const n = content.length;
  return { content, number: 0, size: n, totalElements: n, totalPages: n === 0 ? 0 : 1, numberOfElements: n, first: true, last: true };
}

export const ANSWER_SHAPES: Partial<Record<OperationName, AnswerShape>> = {
  PullEvseData: {
    schema: GroupedEvseData,
    toXml(answer) {
      const page = answer as EvseDataPage;
      const groups = new Map<string, { OperatorID: string; OperatorName?: string; EvseDataRecord: EvseDataRecord[] }>();
      for (const { OperatorID, OperatorName, ...record } of page.content) {
        const operator = OperatorID ?? operatorOfEvseId(record.EvseID) ?? '';
        let group = groups.get(operator);
        if (!group) groups.set(operator, (group = { OperatorID: operator, ...(OperatorName !== undefined ? { OperatorName } : {}), EvseDataRecord: [] }));
        group.EvseDataRecord.push(record);
      }
      return { body: { EvseData: { OperatorEvseData: [...groups.values()] }, ...(page.StatusCode ? { StatusCode: page.StatusCode } : {}) }, header: headerOf(page, false) };
    },
    fromXml(body, header) {
      const log = new FindingLog();
      const grouped = body as { EvseData?: { OperatorEvseData?: { OperatorID: string; OperatorName?: string; EvseDataRecord?: EvseDataRecord[] }[] }; StatusCode?: EvseDataPage['StatusCode'] };
      const content = (grouped.EvseData?.OperatorEvseData ?? []).flatMap(({ OperatorID, OperatorName, EvseDataRecord: records = [] }) =>
        records.map((record) => ({ ...record, OperatorID, ...(OperatorName !== undefined ? { OperatorName } : {}) })),
      );
      const page = pageOf(content, header, log);
      return { value: { ...page, StatusCode: grouped.StatusCode ?? header?.StatusCode ?? assumedSuccess(log) }, findings: log.findings };
    },
  },
  GetChargeDetailRecords: {
    schema: ChargeDetailRecordList,
    toXml(answer) {
      const page = answer as ChargeDetailRecordPage;
      return { body: { eRoamingChargeDetailRecord: page.content }, header: headerOf(page, true) };
    },
    fromXml(body, header) {
      const log = new FindingLog();
      const list = body as { eRoamingChargeDetailRecord?: ChargeDetailRecord[] };
      const page = pageOf(list.eRoamingChargeDetailRecord ?? [], header, log);
      return { value: { ...page, StatusCode: header?.StatusCode ?? assumedSuccess(log) }, findings: log.findings };
    },
  },
};

/** 2.x answered failures with an acknowledgement or a fault; a list answer is a success. */
function assumedSuccess(log: FindingLog): EvseDataPage['StatusCode'] {
  log.defaulted('StatusCode', 'an OICP 2.x list answer carries no StatusCode: a list is a success (000)');
  return { Code: '000' };
}
