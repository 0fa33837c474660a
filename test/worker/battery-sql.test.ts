import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env.ts";
import type { Car } from "../../src/lib/sql/cars.ts";
import { loneSurrogate } from "./battery-arbitraries.ts";
import {
  type CarInput,
  invalidSqlRequest,
  makeSuffix,
  model,
  newCar,
  price,
  specs,
  year,
} from "./battery-sql-arbitraries.ts";
import { expectRejected, type Probe, runs, send, uniqueRun } from "./battery-support.ts";
import { call, jsonInit, testEnv } from "./support.ts";

/**
 * The PlanetScale path runs on a database of its own (POST /scratch-sql of test/setup/faults.ts): the hostile makes
 * stored here would otherwise show up in other files' assertions over the whole of /sql/stats.
 */
async function scratchDatabase(): Promise<string | null> {
  const control = testEnv.FAULT_CONTROL_URL;
  if (!control) throw new Error("FAULT_CONTROL_URL is missing; test/setup/global.ts starts the harness.");
  const response = await fetch(`${control}/scratch-sql`, { method: "POST" });
  const body = (await response.json()) as { databaseUrl: string | null; note?: string };
  if (response.status !== 200) throw new Error(`scratch database: ${JSON.stringify(body)}`);
  if (body.note) console.warn(`[battery-sql] the PlanetScale path was NOT tested: ${body.note}`);
  return body.databaseUrl;
}

// Same battery on both backends, as sql.test.ts does: the API promises identical answers.
type Backend = [name: string, overrides: Partial<Bindings>];
const scratch = await scratchDatabase();
const backends: Backend[] = [
  ...(scratch ? [["PlanetScale (emulator + MariaDB)", { DATABASE_URL: scratch }] as Backend] : []),
  ["D1", { DATABASE_URL: undefined }],
];

// A car that cannot exist: requests that need one of the run's cars use it before the run has any.
const ABSENT_ID = "9223372036854775806";

/** The car fields as stored: two-decimal prices, and specs as the JSON text the Worker received. */
function asStored(input: Partial<CarInput>, run: string): Partial<Car> {
  const fields: Partial<Car> = {};
  if (input.make !== undefined) fields.make = input.make.replaceAll("@RUN", run);
  if (input.model !== undefined) fields.model = input.model;
  if (input.year !== undefined) fields.year = input.year;
  if (input.price !== undefined) {
    const [whole = "0", fraction = ""] = input.price.split(".");
    fields.price = `${BigInt(whole)}.${fraction.padEnd(2, "0")}`;
  }
  if (input.specs !== undefined)
    fields.specs = input.specs === null ? null : JSON.parse(JSON.stringify(input.specs));
  return fields;
}

function withCar(probe: Probe, id: string): Probe {
  return { ...probe, path: probe.path.replaceAll("@CAR", id) };
}

const slot = fc.integer({ min: 0, max: 2 });
const carRef = fc.nat({ max: 30 });
const patchFields = fc
  .record({ make: slot, model, year, price, specs }, { requiredKeys: [] })
  .filter((fields) => Object.values(fields).some((value) => value !== undefined));
const sqlOp = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant("create" as const), make: slot, car: newCar }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("patch" as const), car: carRef, fields: patchFields }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("get" as const), car: carRef }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), car: carRef }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("list" as const), make: slot }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("bad" as const), rejection: invalidSqlRequest() }) },
);
type SqlOp = typeof sqlOp extends fc.Arbitrary<infer T> ? T : never;

describe.each(backends)("SQL bad-input battery on %s", (_name, overrides) => {
  const sendTo = (path: string, init: RequestInit = {}) => call(path, init, overrides);
  const create = async (car: Partial<CarInput>) => {
    const response = await sendTo("/sql/cars", jsonInit("POST", car));
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as Car;
  };
  const read = async (id: string) => (await (await sendTo(`/sql/cars/${id}`)).json()) as Car;
  const listMake = async (make: string) => {
    const response = await sendTo(`/sql/cars?make=${encodeURIComponent(make)}&limit=100`);
    expect(response.status).toBe(200);
    return (await response.json()) as { items: Car[]; nextCursor: string | null };
  };
  /** /sql/stats rows of the makes under a run's prefix, in the order the API gave them. */
  const statsRows = async (run: string) => {
    const stats = (await (await sendTo("/sql/stats")).json()) as {
      byMake: { make: string; count: number; avgPrice: string }[];
    };
    return stats.byMake.filter((row) => row.make.startsWith(run));
  };
  const statsUnder = async (run: string) => (await statsRows(run)).sort(byMake);

  it("answers 300 malformed requests with a 4xx in the error shape and changes nothing", async () => {
    const run = uniqueRun("bsq");
    const victim = await create({ make: `${run}victim`, model: "Target", year: 2000, price: "1.00" });
    await fc.assert(
      fc.asyncProperty(invalidSqlRequest(), async ({ probe, allowed }) => {
        const aimed = withCar(probe, victim.id);
        await expectRejected(await send(aimed, run, overrides), allowed, aimed);
      }),
      runs(300),
    );
    expect(await read(victim.id)).toEqual(victim);
    expect(await statsUnder(run)).toEqual([{ make: victim.make, count: 1, avgPrice: "1.00" }]);
  }, 60_000);

  it("keeps exactly what the valid requests of a mixed sequence wrote", async () => {
    const pool = fc.uniqueArray(makeSuffix, { minLength: 3, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(pool, fc.array(sqlOp, { minLength: 8, maxLength: 30 }), async (suffixes, ops) => {
        await replay(suffixes, ops);
      }),
      runs(25),
    );
  }, 60_000);

  async function replay(suffixes: string[], ops: SqlOp[]) {
    const run = uniqueRun("bsm");
    const makeOf = (i: number) => `${run}${suffixes[i] ?? ""}`;
    const model = new Map<string, Car>();
    const ids: string[] = [];
    const idOf = (ref: number) => ids[ref % ids.length] ?? ABSENT_ID;
    const expectCar = async (response: Response, id: string) => {
      const car = model.get(id);
      if (!car) return expectRejected(response, [404]);
      expect(response.status).toBeLessThan(300);
      expect(await response.json()).toEqual(car);
    };

    for (const op of ops) {
      if (op.op === "create") {
        const input = { ...op.car, make: makeOf(op.make) };
        const response = await sendTo("/sql/cars", jsonInit("POST", input));
        expect(response.status, await response.clone().text()).toBe(201);
        const car = (await response.json()) as Car;
        expect(car).toEqual({ specs: null, ...asStored(input, run), id: car.id, createdAt: car.createdAt });
        expect(car.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(response.headers.get("location")).toBe(`/sql/cars/${car.id}`);
        model.set(car.id, car);
        ids.push(car.id);
      } else if (op.op === "patch") {
        const id = idOf(op.car);
        const input = {
          ...op.fields,
          make: op.fields.make === undefined ? undefined : makeOf(op.fields.make),
        };
        const response = await sendTo(`/sql/cars/${id}`, jsonInit("PATCH", input));
        const car = model.get(id);
        if (car) model.set(id, { ...car, ...asStored(input, run) });
        await expectCar(response, id);
      } else if (op.op === "get") {
        await expectCar(await sendTo(`/sql/cars/${idOf(op.car)}`), idOf(op.car));
      } else if (op.op === "delete") {
        const id = idOf(op.car);
        const response = await sendTo(`/sql/cars/${id}`, jsonInit("DELETE", undefined));
        if (model.delete(id)) expect(response.status).toBe(204);
        else await expectRejected(response, [404]);
      } else if (op.op === "list") {
        const make = makeOf(op.make);
        expect(await listMake(make)).toEqual({ items: carsOf(model, make), nextCursor: null });
      } else {
        const aimed = withCar(op.rejection.probe, idOf(0));
        await expectRejected(await send(aimed, run, overrides), op.rejection.allowed, aimed);
      }
    }

    // Nothing lost: every make lists exactly its cars, and every car reads back.
    for (const i of [0, 1, 2]) {
      expect(await listMake(makeOf(i))).toEqual({ items: carsOf(model, makeOf(i)), nextCursor: null });
    }
    for (const id of ids) await expectCar(await sendTo(`/sql/cars/${id}`), id);
    // Nothing extra: no make under the run's prefix but the model's, with the model's counts and averages.
    expect(await statsUnder(run)).toEqual(statsOf(model));
  }

  it("treats makes that differ only in trailing spaces as different makes", async () => {
    const make = uniqueRun("bsp");
    const plain = await create({ make, model: "A", year: 2000, price: "1" });
    const padded = await create({ make: `${make}  `, model: "B", year: 2000, price: "3" });
    expect((await listMake(make)).items).toEqual([plain]);
    expect((await listMake(`${make}  `)).items).toEqual([padded]);
    expect(await statsUnder(make)).toEqual([
      { make, count: 1, avgPrice: "1.00" },
      { make: `${make}  `, count: 1, avgPrice: "3.00" },
    ]);
  });

  it("orders /sql/stats by make code point by code point, as D1 does", async () => {
    const run = uniqueRun("bso");
    // In code point (and UTF-8 byte) order; UTF-16 order would put the astral 🚗 before U+FFFD.
    const makes = [run, `${run}\u0001`, `${run}!`, `${run}\ufffd`, `${run}🚗`];
    for (const make of [...makes].reverse()) await create({ make, model: "O", year: 2000, price: "1" });
    expect((await statsRows(run)).map((row) => row.make)).toEqual(makes);
  });

  it("keeps a leading byte-order mark in makes and models", async () => {
    const car = { make: `\ufeff${uniqueRun("bsb")}`, model: "\ufeffModel", year: 2000, price: "1.00" };
    const created = await create(car);
    expect(created).toMatchObject(car);
    expect(await read(created.id)).toMatchObject(car);
  });

  it("keeps a specs key named __proto__, or refuses it", async () => {
    const body = `{"make":"${uniqueRun("bsk")}","model":"M","year":2000,"price":"1","specs":{"__proto__":{"x":1},"a":1}}`;
    const response = await sendTo("/sql/cars", jsonInit("POST", body));
    if (response.status !== 201) return expectRejected(response, [400]);
    const { id } = (await response.json()) as Car;
    expect(JSON.stringify((await read(id)).specs)).toBe('{"__proto__":{"x":1},"a":1}');
  });

  it.each([33, 101])(
    "answers specs nested %i deep with 400 or stores them, never with 5xx",
    async (depth) => {
      const specs = JSON.parse(`${'{"d":'.repeat(depth)}1${"}".repeat(depth)}`) as Record<string, unknown>;
      const car = { make: uniqueRun("bsd"), model: "Deep", year: 2000, price: "1", specs };
      const response = await sendTo("/sql/cars", jsonInit("POST", car));
      if (response.status !== 201) return expectRejected(response, [400]);
      expect(((await response.json()) as Car).specs).toEqual(specs);
    },
  );

  it("refuses makes and models with an unpaired surrogate, or stores them exactly", async () => {
    const odd = fc.tuple(fc.string({ maxLength: 4 }), loneSurrogate).map(([text, lone]) => `${text}${lone}`);
    await fc.assert(
      fc.asyncProperty(odd, fc.boolean(), async (text, inMake) => {
        const run = uniqueRun("bss");
        const car = {
          make: inMake ? `${run}${text}` : run,
          model: inMake ? "M" : text,
          year: 2000,
          price: "1",
        };
        const response = await sendTo("/sql/cars", jsonInit("POST", car));
        if (response.status !== 201) return expectRejected(response, [400]);
        const { id } = (await response.json()) as Car;
        const stored = await read(id);
        // Compared as escaped JSON: a raw unpaired surrogate in a failure message breaks the runner's channel.
        expect(JSON.stringify([stored.make, stored.model])).toBe(JSON.stringify([car.make, car.model]));
      }),
      runs(20),
    );
  });
});

function carsOf(model: Map<string, Car>, make: string): Car[] {
  return [...model.values()].filter((car) => car.make === make).sort((a, b) => Number(a.id) - Number(b.id));
}

function statsOf(model: Map<string, Car>) {
  const centsByMake = new Map<string, number[]>();
  for (const car of model.values()) {
    const [whole = "0", fraction = "00"] = car.price.split(".");
    centsByMake.set(car.make, [...(centsByMake.get(car.make) ?? []), Number(whole) * 100 + Number(fraction)]);
  }
  return [...centsByMake]
    .map(([make, cents]) => {
      const average = Math.round(cents.reduce((sum, c) => sum + c, 0) / cents.length);
      return {
        make,
        count: cents.length,
        avgPrice: `${Math.floor(average / 100)}.${String(average % 100).padStart(2, "0")}`,
      };
    })
    .sort(byMake);
}

// Both sides sorted alike: the order of /sql/stats (UTF-8 bytes) is not what this test is about.
function byMake(a: { make: string }, b: { make: string }): number {
  return a.make < b.make ? -1 : a.make > b.make ? 1 : 0;
}
