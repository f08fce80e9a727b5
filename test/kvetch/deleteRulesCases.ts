// The delete rule cases (restrict, cascade, setNull, the bound, a delete stopped part way), shared by the memory
// test and the MySQL + Redis test. After each case every shard's rows are dumped (by the caller's `dump`: the
// store's scans on memory, SQL on MySQL) and checked for dangling references.

import * as assert from "uvu/assert";
import { Kvetch, KvetchError, defineSchema } from "../../src/kvetch/index.js";
import { kvetchTestHooks } from "../../src/kvetch/testing/index.js";

/**
 * A library: a shelf's books cascade, a book's loans cascade, a member with loans refuses its delete, a book's
 * reviews lose their bookId, and a review's author (no rule) keeps the id of a deleted member, as before.
 */
export const libraryKvetchSchema = defineSchema({
  objects: [
    { name: "Member", typeId: 1 },
    { name: "Loan", typeId: 2 },
    { name: "Book", typeId: 3 },
    { name: "Shelf", typeId: 4 },
    { name: "Review", typeId: 5 },
  ],
  edges: [
    { name: "member_loans", edgeId: 1, fromType: "Member", storedIdAttr: "memberId", storedOnType: "Loan", onDelete: "restrict" },
    { name: "shelf_books", edgeId: 2, fromType: "Shelf", storedIdAttr: "shelfId", storedOnType: "Book", onDelete: "cascade" },
    { name: "book_loans", edgeId: 3, fromType: "Book", storedIdAttr: "bookId", storedOnType: "Loan", onDelete: "cascade" },
    { name: "book_reviews", edgeId: 4, fromType: "Book", storedIdAttr: "bookId", storedOnType: "Review", onDelete: "setNull" },
    { name: "member_reviews", edgeId: 5, fromType: "Member", storedIdAttr: "authorId", storedOnType: "Review" },
  ],
  indexes: [{ name: "loan_by_book", indexId: 1, indexedType: "Loan", indexedAttr: "bookId" }],
});

/** Every shard's rows, as stored. */
export interface Tables {
  objects: { id: string; typeId: number; data: Record<string, unknown> }[];
  edges: { edgeId: number; fromId: string; toId: string }[];
  counts: { edgeId: number; fromId: string; n: number }[];
  index: { indexId: number; targetId: string }[];
}

/** What a case needs: a fresh store (empty shards) and the dump of its shards. */
export interface CaseContext {
  kvetch: () => Kvetch;
  dump: () => Promise<Tables>;
}

/**
 * danglingReferences: every reference the tables hold to an object that is not there, or that disagrees
 * with its child: a ruled stored id naming a missing object, an edge row whose parent or child is missing
 * (or whose child stores another id), a count that is not its number of rows, an index entry of a missing
 * object. Empty when the store is whole.
 */
export function danglingReferences(tables: Tables): string[] {
  const byId = new Map(tables.objects.map((o) => [o.id, o]));
  const out: string[] = [];
  for (const edge of libraryKvetchSchema.edges) {
    const childType = libraryKvetchSchema.objectType(edge.storedOnType, "test").typeId;
    for (const child of tables.objects) {
      const stored = child.data[edge.storedIdAttr!];
      if (child.typeId !== childType || typeof stored !== "string" || edge.onDelete === null) continue;
      if (!byId.has(stored)) out.push(`${child.id}.${edge.storedIdAttr} names missing ${stored}`);
    }
  }
  const rowsPer = new Map<string, number>();
  for (const row of tables.edges) {
    const def = libraryKvetchSchema.edgeById(row.edgeId)!;
    const child = byId.get(row.toId);
    if (!byId.has(row.fromId)) out.push(`edge ${def.name} ${row.fromId} → ${row.toId}: parent missing`);
    if (!child) out.push(`edge ${def.name} ${row.fromId} → ${row.toId}: child missing`);
    else if (child.data[def.storedIdAttr!] !== row.fromId) out.push(`edge ${def.name} ${row.fromId} → ${row.toId}: child stores ${String(child.data[def.storedIdAttr!])}`);
    rowsPer.set(`${row.edgeId}/${row.fromId}`, (rowsPer.get(`${row.edgeId}/${row.fromId}`) ?? 0) + 1);
  }
  for (const count of tables.counts) {
    const rows = rowsPer.get(`${count.edgeId}/${count.fromId}`) ?? 0;
    if (count.n !== rows) out.push(`count of edge ${count.edgeId} from ${count.fromId} is ${count.n}, rows ${rows}`);
    if (count.n !== 0 && !byId.has(count.fromId)) out.push(`count of edge ${count.edgeId} from missing ${count.fromId} is ${count.n}`);
  }
  for (const entry of tables.index) if (!byId.has(entry.targetId)) out.push(`index ${entry.indexId} entry of missing ${entry.targetId}`);
  return out;
}

/** A shelf with `books` books, each with `loans` loans (of one member) and `reviews` reviews (by that member). */
export async function library(kvetch: Kvetch, books: number, loans: number, reviews: number) {
  const member = await kvetch.createObject("Member", { name: "ada" });
  const shelf = await kvetch.createObject("Shelf", { label: "A" });
  const made = await kvetch.createObjects(Array.from({ length: books }, (_, b) => ({ type: "Book", data: { title: `b${b}`, shelfId: shelf.id } })));
  const bookIds = made.map((b) => b.id);
  const loanItems = bookIds.flatMap((bookId) => Array.from({ length: loans }, () => ({ type: "Loan", data: { bookId, memberId: member.id } })));
  const reviewItems = bookIds.flatMap((bookId) => Array.from({ length: reviews }, () => ({ type: "Review", data: { bookId, authorId: member.id } })));
  const loanIds = (await kvetch.createObjects(loanItems)).map((o) => o.id);
  const reviewIds = (await kvetch.createObjects(reviewItems)).map((o) => o.id);
  return { member: member.id, shelf: shelf.id, books: bookIds, loans: loanIds, reviews: reviewIds };
}

async function refusal(run: () => Promise<unknown>): Promise<KvetchError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof KvetchError) return error;
    throw error;
  }
  throw new Error("expected a KvetchError");
}

/** The cases, registered on the caller's uvu `test` (with its name prefix). */
export function deleteRuleCases(test: (name: string, body: () => Promise<void>) => void, prefix: string, context: CaseContext): void {
  test(`${prefix}: restrict refuses deleting a member with loans (edge and count named, nothing deleted); once they are gone the delete removes its edge rows and count`, async () => {
    const kvetch = context.kvetch();
    const lib = await library(kvetch, 2, 1, 0);
    const error = await refusal(() => kvetch.deleteObject(lib.member, { type: "Member" }));
    assert.is(error.code, "RESTRICTED");
    assert.is(error.message, `Kvetch: deleteObject: Member ${lib.member} still has 2 Loan children through edge "member_loans" (onDelete: "restrict"); delete them or clear their memberId first; nothing was deleted`);
    assert.ok(await kvetch.getObject(lib.member));
    assert.equal(await kvetch.countEdges("member_loans", [lib.member]), [2]);
    assert.equal(danglingReferences(await context.dump()), []);
    // The loans go (cascading from their book); the member is deleted, and nothing counts for it any more.
    assert.equal(await kvetch.deleteObjects(lib.books), [true, true]);
    assert.equal(await kvetch.countEdges("member_loans", [lib.member]), [0]);
    assert.is(await kvetch.deleteObject(lib.member, { type: "Member" }), true);
    const tables = await context.dump();
    assert.equal(danglingReferences(tables), []);
    assert.equal(tables.edges.filter((e) => e.fromId === lib.member), []);
    assert.equal(tables.counts.filter((c) => c.fromId === lib.member && c.n !== 0), []);
  });

  test(`${prefix}: cascade deletes a shelf's books and their loans (two levels), setNull clears the reviews' bookId, the author edge (no rule) stays`, async () => {
    const kvetch = context.kvetch();
    const lib = await library(kvetch, 3, 2, 2);
    assert.is(await kvetch.deleteObject(lib.shelf), true);
    const tables = await context.dump();
    assert.equal(danglingReferences(tables), []);
    const ids = new Set(tables.objects.map((o) => o.id));
    assert.equal([...lib.books, ...lib.loans].filter((id) => ids.has(id)), [], "books and loans deleted");
    const reviews = tables.objects.filter((o) => o.typeId === 5);
    assert.is(reviews.length, 6);
    for (const review of reviews) {
      assert.is(review.data.bookId, null, "setNull cleared the stored id");
      assert.is(review.data.authorId, lib.member, "the author is untouched");
    }
    assert.equal(tables.edges.filter((e) => e.edgeId !== 5), [], "no shelf, book or loan edge rows left");
    assert.equal(await kvetch.countEdges("shelf_books", [lib.shelf]), [0]);
    assert.equal(await kvetch.countEdges("member_loans", [lib.member]), [0]);
    assert.equal(await kvetch.countEdges("member_reviews", [lib.member]), [6]);
    assert.equal((await kvetch.queryIndex("loan_by_book", lib.books)).map((page) => page.edges.length), [0, 0, 0]);
    assert.equal(tables.index, []);
  });

  test(`${prefix}: setNull on its own: deleting one book clears its reviews and deletes its loans; the other book keeps all`, async () => {
    const kvetch = context.kvetch();
    const lib = await library(kvetch, 2, 1, 2);
    assert.is(await kvetch.deleteObject(lib.books[0]!, { type: "Book" }), true);
    const tables = await context.dump();
    assert.equal(danglingReferences(tables), []);
    const reviews = await kvetch.getObjects(lib.reviews);
    assert.equal(reviews.map((r) => r!.data.bookId), [null, null, lib.books[1], lib.books[1]]);
    assert.equal(await kvetch.countEdges("book_reviews", lib.books), [0, 2]);
    assert.equal((await kvetch.getObjects(lib.loans)).map((l) => l !== null), [false, true]);
    assert.equal(await kvetch.countEdges("shelf_books", [lib.shelf]), [1]);
  });

  test(`${prefix}: past maxCascade the delete is refused with CASCADE_LIMIT and nothing is written`, async () => {
    const kvetch = context.kvetch();
    const lib = await library(kvetch, 3, 2, 1);
    const before = await context.dump();
    // 3 books + 6 loans to delete and 3 reviews to clear: 12 objects besides the shelf.
    const error = await refusal(() => kvetch.deleteObject(lib.shelf, { maxCascade: 11 }));
    assert.is(error.code, "CASCADE_LIMIT");
    assert.match(error.message, `deleting ${lib.shelf} would cascade to or clear more than 11 objects (maxCascade)`);
    assert.match(error.message, /nothing was deleted$/);
    assert.equal(await context.dump(), before);
    assert.is(await kvetch.deleteObject(lib.shelf, { maxCascade: 12 }), true);
    assert.equal(danglingReferences(await context.dump()), []);
  });

  for (const finish of ["queue drain", "full repair"] as const) {
    test(`${prefix}: a cascade stopped after its first level of deletes (canonical rows gone, derived rows not) is finished by the ${finish}`, async () => {
      const kvetch = context.kvetch();
      const lib = await library(kvetch, 3, 2, 1);
      const hooks = kvetchTestHooks(kvetch);
      // The first delete of the cascade (the loans) commits, then the "process" stops.
      hooks.afterCanonicalWrite = ({ op }) => {
        if (op === "delete") throw new Error("stopped mid-cascade");
      };
      await refusal(() => kvetch.deleteObject(lib.shelf)).catch((error: Error) => assert.is(error.message, "stopped mid-cascade"));
      delete hooks.afterCanonicalWrite;
      const stopped = await context.dump();
      assert.ok(stopped.objects.some((o) => o.id === lib.shelf), "the shelf is still there");
      assert.ok(danglingReferences(stopped).length > 0, "the stop left loans' edge rows behind");
      if (finish === "queue drain") await kvetch.repair({ queue: true });
      else await kvetch.repair();
      const tables = await context.dump();
      assert.equal(danglingReferences(tables), []);
      const ids = new Set(tables.objects.map((o) => o.id));
      assert.equal([lib.shelf, ...lib.books, ...lib.loans].filter((id) => ids.has(id)), []);
      assert.equal(tables.objects.filter((o) => o.typeId === 5).map((o) => o.data.bookId), [null, null, null]);
      await kvetch.repair({ queue: true });
      assert.equal(await context.dump(), tables, "a second run changes nothing");
    });
  }
}
