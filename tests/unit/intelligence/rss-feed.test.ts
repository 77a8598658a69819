import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseFeed } from "../../../src/engine/intelligence/rss-feed.js";

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/news/${name}`, import.meta.url), "utf8");

describe("feed parsing", () => {
  it("reads RSS 2.0 items: CDATA, HTML in descriptions, RFC 822 dates with IST, guid permalinks, dc:date", () => {
    const items = parseFeed(fixture("markets-rss.xml"), { key: "MARKET", source: "https://news.example.in/rss/markets.xml" });
    expect(items).toHaveLength(3);
    expect(items[0]).toEqual({
      title: "Reliance Industries shares surge 3% on Jio tariff hike",
      url: "https://news.example.in/markets/stocks/reliance-jio-tariff/articleshow/1001.cms?utm_source=rss&utm_medium=feed",
      summary: "Shares of Reliance Industries rose 3 per cent after Jio raised tariffs.",
      publishedAt: new Date("2025-01-06T04:15:00Z"),
      source: "https://news.example.in/rss/markets.xml",
      symbols: ["MARKET"],
    });
    expect(items[1]).toMatchObject({ title: "Sensex, Nifty open flat; IT stocks drag & banks gain", publishedAt: new Date("2025-01-06T03:50:00Z") });
    expect(items[2]).toMatchObject({ url: "https://news.example.in/markets/tata-motors-jlr/articleshow/1003.cms", summary: "", publishedAt: new Date("2025-01-06T03:30:00Z") });
  });

  it("reads Atom entries: the alternate link, html titles, published before updated", () => {
    const items = parseFeed(fixture("company-atom.xml"), { key: "INFY", source: "https://filings.example.in/atom" });
    expect(items.map((i) => [i.title, i.url, i.publishedAt?.toISOString(), i.summary])).toEqual([
      ["Infosys wins $1.5 bn deal from European bank", "https://filings.example.in/infy/2025/01/deal", "2025-01-06T04:10:00.000Z", "Infosys said it signed a five-year deal."],
      ["Reliance Industries shares surge 3% on Jio tariff hike", "https://syndication.example.com/ril-jio-tariff", "2025-01-06T04:20:00.000Z", "Syndicated copy."],
    ]);
  });

  it("reads RSS 1.0 (RDF) items", () => {
    const xml = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="https://x.example/"><title>x</title></channel>
      <item rdf:about="https://x.example/1"><title>ITC hotels listing date set</title><link>https://x.example/1</link><dc:date>2025-01-06T05:00:00+05:30</dc:date></item>
    </rdf:RDF>`;
    expect(parseFeed(xml, { key: "ITC", source: "s" })).toEqual([{ title: "ITC hotels listing date set", url: "https://x.example/1", summary: "", publishedAt: new Date("2025-01-05T23:30:00Z"), source: "s", symbols: ["ITC"] }]);
  });

  it("says what is wrong with a feed it cannot use", () => {
    expect(() => parseFeed("<html><body>Service Unavailable", { key: "K", source: "s" })).toThrow(/^not XML \(line \d+: .+\)$/);
    expect(() => parseFeed("<html><body><p>Moved</p></body></html>", { key: "K", source: "s" })).toThrow("no items: not an RSS or Atom feed (the document is <html>)");
    expect(() => parseFeed(`<rss version="2.0"><channel><title>t</title></channel></rss>`, { key: "K", source: "s" })).toThrow("no items (the feed lists no <item>)");
    expect(() => parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>`, { key: "K", source: "s" })).toThrow("no items (the feed lists no <entry>)");
    expect(() => parseFeed(`<rss><channel><item><link>https://x</link></item></channel></rss>`, { key: "K", source: "s" })).toThrow("no items with a title (1 without)");
  });
});
