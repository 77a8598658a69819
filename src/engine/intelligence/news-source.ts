/** Where articles come from: an RSS/Atom feed, or anything else that lists news. */
import type { ArticleDraft } from "./article.js";

export interface NewsSource {
  /** Names the source in reports: the feed key and URL. */
  readonly label: string;
  /** The articles it lists now. A bad source rejects with a NewsSourceError naming itself. */
  fetch(): Promise<ArticleDraft[]>;
}

/** A source that could not be read; the message names the source and the cause. */
export class NewsSourceError extends Error {
  override name = "NewsSourceError";
}
