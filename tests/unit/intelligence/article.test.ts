import { describe, expect, it } from "vitest";
import { mergeSymbols, normaliseTitle, normaliseUrl, titleHash, toNewArticle, urlHash } from "../../../src/engine/intelligence/article.js";

describe("article normalisation", () => {
  it("normalises a URL: host lower-cased, fragment, utm_* parameters and trailing slash gone", () => {
    expect(normaliseUrl("https://WWW.Example.COM/Markets/Reliance-Q3/?utm_source=x&id=7&UTM_Medium=rss#top")).toBe("https://www.example.com/Markets/Reliance-Q3?id=7");
    expect(normaliseUrl("https://example.com/a/b/")).toBe("https://example.com/a/b");
    expect(normaliseUrl("https://example.com/?utm_campaign=feed")).toBe("https://example.com");
    // The path keeps its case: servers may tell /A from /a.
    expect(normaliseUrl("https://example.com/A")).not.toBe(normaliseUrl("https://example.com/a"));
    expect(normaliseUrl("  not a url  ")).toBe("not a url");
  });

  it("normalises a title: lower case, punctuation stripped, whitespace collapsed", () => {
    expect(normaliseTitle("  Reliance Q3:  profit UP 12%!  ")).toBe("reliance q3 profit up 12");
    expect(normaliseTitle("“Reliance”, Q3 — profit up 12 %")).toBe("reliance q3 profit up 12");
  });

  it("hashes the same article alike and different ones apart", () => {
    const a = urlHash("https://example.com/story?utm_source=rss", "x");
    expect(a).toBe(urlHash("https://EXAMPLE.com/story/#comments", "y"));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(urlHash("https://example.com/other", "x"));
    // No URL: the title stands in.
    expect(urlHash(null, "Tata Steel: output rises")).toBe(titleHash("tata steel output rises"));
    expect(titleHash("Tata Steel output rises")).not.toBe(titleHash("Tata Steel output falls"));
  });

  it("merges symbols upper-cased, without repeats", () => {
    expect(mergeSymbols(["RELIANCE"], ["market", "RELIANCE", " tcs "])).toEqual(["RELIANCE", "MARKET", "TCS"]);
  });

  it("dates an article no later than its fetch, and the fetch time when it has none", () => {
    const fetched = new Date("2025-01-06T05:00:00Z");
    const draft = { title: " Infosys  wins order ", url: "", summary: "", source: "s", symbols: ["infy"] };
    expect(toNewArticle({ ...draft, publishedAt: null }, fetched).publishedAt).toEqual(fetched);
    expect(toNewArticle({ ...draft, publishedAt: new Date("2025-01-07T00:00:00Z") }, fetched).publishedAt).toEqual(fetched);
    const past = new Date("2025-01-06T01:00:00Z");
    const row = toNewArticle({ ...draft, publishedAt: past }, fetched);
    expect(row).toMatchObject({ publishedAt: past, title: "Infosys wins order", url: null, symbols: ["INFY"] });
    expect(row.urlHash).toBe(titleHash("Infosys wins order"));
  });
});
