// The frame of every page: navigation, the CSRF token for forms, the static assets (served by
// the dashboard itself: no CDN).
import { type Html, html } from "../html.js";

export interface PageContext {
  csrf: string;
  /** The path prefix the dashboard is served under ("" at the root). */
  base: string;
}

const NAV = [
  ["runs", "Runs"],
  ["workflows", "Workflows"],
  ["workers", "Workers"],
  ["schedules", "Schedules"],
] as const;

export function layout(ctx: PageContext, title: string, active: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Waymark</title>
<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>
<link rel="stylesheet" href="${ctx.base}/static/dashboard.css">
<script src="${ctx.base}/static/htmx.min.js" defer></script>
<script src="${ctx.base}/static/dashboard.js" defer></script>
</head>
<body data-csrf="${ctx.csrf}">
<header><a class="brand" href="${ctx.base}/runs">Waymark</a>
<nav>${NAV.map(([id, text]) => html`<a href="${ctx.base}/${id}"${active === id ? html` class="active"` : ""}>${text}</a>`)}</nav>
</header>
<main>${body}</main>
</body>
</html>`;
}

/** A POST form with the CSRF token (every mutation is one). */
export function postForm(ctx: PageContext, action: string, inner: Html, cls = ""): Html {
  return html`<form method="post" action="${ctx.base}${action}" class="${cls}"><input type="hidden" name="_csrf" value="${ctx.csrf}">${inner}</form>`;
}
