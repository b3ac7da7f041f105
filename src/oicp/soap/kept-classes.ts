/**
 * One idle object of each class the SOAP codec makes per document, kept for the life of the process.
 *
 * V8 gives objects made alike a hidden class (their members, in order), and optimized code checks
 * for it; a class whose members were added one by one (every class here: its fields) lives only as
 * long as an object of it does, the code holding it weakly. A full collection that finds no reader
 * or writer alive (a server idle between two pushes; bench/soap-bulk.ts collects before each case)
 * dropped their classes and, with them, the optimized code of every function that reads their
 * objects (`node --trace-deopt`: "marking dependent code ... reason: weak objects"): the next
 * document ran in the interpreter until compiled again, about 28 ms CPU more for an encode of 1,000
 * records (9 ms when kept) and 170 ms more for a decode (66 ms when kept).
 */
const kept: object[] = [];

/** Keeps `instance`, and so its class, alive. */
export function keepClassOf(instance: object): void {
  kept.push(instance);
}
