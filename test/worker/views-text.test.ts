/** `npm run compare`'s text waterfall: the pages' axis, drawn with characters. */
import { describe, expect, it } from "vitest";
import { textWaterfall } from "../../bench/text-waterfall.ts";

describe("the text waterfall", () => {
  it("draws the tutorial's 2.0 s vs 1.0 s on one ruler, concurrent inside the sequential span", () => {
    const text = textWaterfall(
      [
        { label: "sequential 1", startMs: 0, endMs: 1000 },
        { label: "sequential 2", startMs: 1000, endMs: 2000 },
        { label: "concurrent 1", startMs: 0, endMs: 1000 },
        { label: "concurrent 2", startMs: 1, endMs: 1001 },
      ],
      40,
    );
    const [scale, ruler, ...rows] = text.split("\n");
    expect(scale?.trim()).toMatch(/^0 ms +500 ms +1 s +1\.5 s +2 s$/);
    expect(ruler?.trim()).toBe(`+${"---------+".repeat(4)}`);
    const bars = rows.map((row) =>
      /^(\S+ \d) {2}( *)(█+)/
        .exec(row)
        ?.slice(2)
        .map((part) => part.length),
    );
    // 2000 ms over 40 columns: 20 columns a second.
    expect(bars).toEqual([
      [0, 20],
      [20, 20],
      [0, 20],
      [0, 20],
    ]);
    expect(rows[1]).toMatch(/1000–2000 ms$/);
  });

  it("keeps a step shorter than one column visible as one block", () => {
    const [, , row] = textWaterfall([{ label: "a", startMs: 0, endMs: 0 }]).split("\n");
    expect(row).toMatch(/^a {2}█ +0–0 ms$/);
  });
});
