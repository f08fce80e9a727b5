// Parity: a bank whose mutations must run serially. Each mutation resolver awaits a timer (the first one
// the longest) before it writes, so a field that ran early would read a stale balance. State is fresh
// for each run; the operations log and the resolver call counts must match graphql-js's.

import { test } from "uvu";
import { buildSchema } from "graphql";
import { CallCounter, registerCases, type ParityCase } from "./harness.js";

const schema = buildSchema(`
  type Query {
    account(id: ID!): Account
    accounts: [Account!]!
    log: [String!]!
  }

  type Mutation {
    deposit(id: ID!, amount: Int!): Account
    withdraw(id: ID!, amount: Int!): Account
    strictWithdraw(id: ID!, amount: Int!): Account!
    transfer(from: ID!, to: ID!, amount: Int!): Transfer!
    open(id: ID!, owner: String = "anonymous"): Account
    close(id: ID!): Boolean
    syncDeposit(id: ID!, amount: Int!): Int
    log: [String!]!
  }

  type Account {
    id: ID!
    owner: String!
    balance: Int!
    history: [Int!]!
    overdrawn: Boolean!
    statement: String
    positiveBalance: Int!
  }

  type Transfer {
    from: Account!
    to: Account!
    amount: Int!
  }
`);

const calls = new CallCounter();

interface AccountData {
  id: string;
  owner: string;
  balance: number;
  history: number[];
}

class Bank {
  accounts = new Map<string, AccountData>([
    ["a", { id: "a", owner: "Ann", balance: 100, history: [100] }],
    ["b", { id: "b", owner: "Bob", balance: 20, history: [20] }],
  ]);
  entries: string[] = [];
  delay = 12;

  /** Later mutation fields wait less, so running them concurrently would reorder the writes. */
  async pause(): Promise<void> {
    const ms = Math.max(0, this.delay);
    this.delay -= 4;
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  view(account: AccountData | undefined): Record<string, unknown> | null {
    if (!account) return null;
    const bank = this;
    return {
      id: account.id,
      owner: account.owner,
      balance: () => account.balance,
      history: () => account.history.slice(),
      overdrawn: () => Promise.resolve(account.balance < 0),
      positiveBalance: () => (account.balance < 0 ? null : account.balance),
      statement: () => {
        calls.hit("statement");
        if (account.balance < 0) throw new Error(`account ${account.id} is overdrawn`);
        return `${account.owner}: ${account.balance} after ${bank.entries.length} operations`;
      },
    };
  }
}

function rootFor(bank: Bank) {
  const write = (id: string, delta: number) => {
    const account = bank.accounts.get(id);
    if (!account) throw new Error(`no account ${id}`);
    account.balance += delta;
    account.history.push(account.balance);
    bank.entries.push(`${id}${delta >= 0 ? "+" : ""}${delta}=${account.balance}`);
    return account;
  };
  return {
    account: ({ id }: { id: string }) => bank.view(bank.accounts.get(id)),
    accounts: () => [...bank.accounts.values()].map((a) => bank.view(a)),
    log: () => {
      calls.hit("log");
      return bank.entries.slice();
    },
    deposit: async ({ id, amount }: { id: string; amount: number }) => {
      calls.hit("deposit");
      await bank.pause();
      return bank.view(write(id, amount));
    },
    withdraw: async ({ id, amount }: { id: string; amount: number }) => {
      calls.hit("withdraw");
      await bank.pause();
      const account = bank.accounts.get(id);
      if (account && account.balance < amount) throw new Error(`insufficient funds in ${id}: ${account.balance} < ${amount}`);
      return bank.view(write(id, -amount));
    },
    strictWithdraw: async ({ id, amount }: { id: string; amount: number }) => {
      calls.hit("strictWithdraw");
      await bank.pause();
      const account = bank.accounts.get(id);
      if (!account || account.balance < amount) return null;
      return bank.view(write(id, -amount));
    },
    transfer: async ({ from, to, amount }: { from: string; to: string; amount: number }) => {
      calls.hit("transfer");
      await bank.pause();
      const source = write(from, -amount);
      await bank.pause();
      const target = write(to, amount);
      return { from: bank.view(source), to: bank.view(target), amount };
    },
    open: ({ id, owner }: { id: string; owner: string }) => {
      calls.hit("open");
      if (bank.accounts.has(id)) return Promise.reject(new Error(`account ${id} exists`));
      const account = { id, owner, balance: 0, history: [0] };
      bank.accounts.set(id, account);
      bank.entries.push(`open ${id}`);
      return bank.view(account);
    },
    close: ({ id }: { id: string }) => {
      calls.hit("close");
      bank.entries.push(`close ${id}`);
      return bank.accounts.delete(id);
    },
    syncDeposit: ({ id, amount }: { id: string; amount: number }) => {
      calls.hit("syncDeposit");
      return write(id, amount).balance;
    },
  };
}

function fresh() {
  return { rootValue: rootFor(new Bank()) };
}

const cases: ParityCase[] = [
  { name: "query: accounts and log", query: `{ accounts { id owner balance history overdrawn statement } log }` },
  { name: "query: one account", query: `{ account(id: "a") { balance } missing: account(id: "zz") { balance } }` },
  {
    name: "deposits run one after another",
    query: `mutation { first: deposit(id: "a", amount: 10) { balance } second: deposit(id: "a", amount: 5) { balance history } third: deposit(id: "b", amount: 1) { balance } log }`,
  },
  {
    name: "a withdrawal sees the deposit before it",
    query: `mutation { deposit(id: "b", amount: 50) { balance } withdraw(id: "b", amount: 60) { balance statement } log }`,
  },
  {
    name: "a failed withdrawal does not stop later fields",
    query: `mutation { w1: withdraw(id: "b", amount: 500) { balance } d: deposit(id: "b", amount: 1) { balance } w2: withdraw(id: "b", amount: 21) { balance history } log }`,
  },
  {
    name: "a non-null mutation field failing nulls data",
    query: `mutation { d: deposit(id: "a", amount: 1) { balance } s: strictWithdraw(id: "b", amount: 999) { balance } }`,
  },
  {
    name: "fields after a failed non-null mutation field do not run",
    query: `mutation { s: strictWithdraw(id: "b", amount: 999) { balance } d: deposit(id: "a", amount: 1) { balance } log }`,
  },
  {
    name: "a non-null error bubbling from inside a mutation field stops later fields",
    query: `mutation { t: transfer(from: "b", to: "a", amount: 50) { from { positiveBalance } } d: deposit(id: "a", amount: 1) { balance } log }`,
  },
  {
    name: "a nullable mutation field absorbs a non-null error from inside and later fields run",
    query: `mutation { w: withdraw(id: "a", amount: 10) { balance } o: open(id: "n") { positiveBalance } d: deposit(id: "n", amount: 5) { balance } log }`,
  },
  {
    name: "a synchronous non-null mutation field failing first",
    query: `mutation { s: syncDeposit(id: "nobody", amount: 1) t: transfer(from: "zz", to: "a", amount: 1) { amount } d: deposit(id: "a", amount: 1) { balance } }`,
  },
  {
    name: "transfer awaits twice inside one field",
    query: `mutation { t: transfer(from: "a", to: "b", amount: 30) { amount from { balance } to { balance history } } after: deposit(id: "b", amount: 0) { balance } log }`,
  },
  {
    name: "sync and async mutation fields interleaved",
    query: `mutation { s1: syncDeposit(id: "a", amount: 1) d: deposit(id: "a", amount: 2) { balance } s2: syncDeposit(id: "a", amount: 3) log }`,
  },
  {
    name: "only sync mutation fields return synchronously",
    query: `mutation { s1: syncDeposit(id: "a", amount: 1) s2: syncDeposit(id: "b", amount: 2) c: close(id: "b") log }`,
  },
  {
    name: "open with a default argument, then open again rejects",
    query: `mutation { o1: open(id: "c") { id owner balance } o2: open(id: "c", owner: "Cy") { id } d: deposit(id: "c", amount: 7) { owner balance } log }`,
  },
  {
    name: "mutation with variables",
    query: `mutation ($id: ID!, $amount: Int!) { deposit(id: $id, amount: $amount) { balance } withdraw(id: $id, amount: $amount) { balance } }`,
    variableValues: { id: "a", amount: 25 },
  },
  {
    name: "mutation statement error under an overdrawn account",
    query: `mutation { t: transfer(from: "b", to: "a", amount: 50) { from { balance statement overdrawn } to { statement } } }`,
  },
  {
    name: "mutation with __typename and fragments",
    query: `mutation { __typename d: deposit(id: "a", amount: 3) { ...Acc } } fragment Acc on Account { __typename id balance }`,
  },
  {
    name: "mutation selected by operation name",
    query: `query Q { log } mutation M { deposit(id: "a", amount: 4) { balance } log }`,
    operationName: "M",
  },
];

registerCases(test, schema, cases, { fresh, calls });

test.run();
