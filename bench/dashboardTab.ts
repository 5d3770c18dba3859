// `npm run bench -- --dashboard`: the engine serves the dashboard and one Chromium tab keeps its
// runs page open (it refreshes itself every 3 s) while the scenarios run, as an operator would.
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../test/helpers/browser.js";
import type { EngineProcess } from "./engineProcess.js";

let browser: Browser | undefined;
let page: Page | undefined;

/** Opens (or moves) the tab to the runs page of this engine's dashboard. */
export async function openDashboardTab(e: EngineProcess): Promise<string> {
  let url: string | undefined;
  for (let i = 0; i < 200 && !url; i++) {
    url = /dashboard: (http:\/\/\S+)/.exec(e.log())?.[1];
    if (!url) await new Promise((r) => setTimeout(r, 50));
  }
  if (!url) throw new Error("the engine did not print its dashboard URL");
  browser ??= await launchBrowser();
  page ??= await browser.newPage();
  await page.goto(`${url}/runs`);
  return url;
}

export async function closeDashboardTab(): Promise<void> {
  await browser?.close();
  browser = undefined;
  page = undefined;
}
