/**
 * The shape of one entry of the errata registries (src/ocpi/errata.ts, src/oicp/errata.ts): a place
 * where the bridge knowingly departs from the letter of a specification, to be tolerant of what
 * peers really send or because the documents disagree with each other. A gap between the two
 * protocols that the bridge fills is a mapping decision (docs/mapping.md), not an erratum.
 *
 * Plain data: the registries hold no behaviour, so docs tooling can import them, and each entry has
 * a test that drives the code it names (test/ocpi/errata.test.ts, test/oicp/errata.test.ts).
 */
export interface Erratum {
  /** Stable kebab-case name; docs/errata.md and the tests refer to it. */
  id: string;
  /** What the specification's letter says, and where. */
  spec: {
    /** The document (and revision) whose letter is departed from. */
    document: string;
    section: string;
    says: string;
  };
  /** What the bridge does instead. */
  bridge: string;
  why: string;
  /** The modules (repository paths) where it is done. */
  where: readonly string[];
}
