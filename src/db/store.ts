/**
 * What the engine needs from storage: Repo's public methods, derived from the
 * class itself so a method added to or changed on Repo reaches every store (the
 * in-memory one stops compiling until it follows).
 */
import type { Repo } from "./repo.js";

/** Shortcuts a store may offer; callers fall back to the plain methods without them. */
type Optional = "bookTotals";

/** Repo minus its drizzle handle and its Repo-typed transaction, which Store restates. */
type RepoMethods = Omit<Repo, "db" | "tx" | Optional>;

export type Store = { [K in keyof RepoMethods]: RepoMethods[K] } & Partial<Pick<Repo, Optional>> & {
  /**
   * Runs fn in one transaction with a store bound to it: everything fn wrote is
   * undone if it throws. Restated from Repo.tx because Repo's callback receives a
   * Repo, which an in-memory store cannot hand out.
   */
  tx<T>(fn: (store: Store) => Promise<T>): Promise<T>;
};

/** Compile-time proof that the database-backed Repo is itself a Store. */
type Holds<T extends true> = T;
type _RepoIsAStore = Holds<Repo extends Store ? true : false>;
