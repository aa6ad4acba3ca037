// One helper per console page, for the Chromium suites: how a person reaches a page and what
// they do there, written once. Suites say what they check; where the outcome, the verdict or
// the Save button sits is known here, so a change to a page's markup changes one file.

/** The run page of `id` in `page`, opened at `base` (the console's address). */
export class RunPage {
  constructor(page, base, id) {
    this.page = page;
    this.base = base;
    this.id = id;
  }

  /** Opens the run's page; with `input`, by a deep link carrying it (`?input=`). */
  static async open(page, base, id, { input } = {}) {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    await page.goto(`${base}/runs/${id}${query}`);
    return new RunPage(page, base, id);
  }

  /** The form's input at JSON pointer `path` (e.g. "/approver"). */
  field(path) {
    return this.page.locator(`[data-path="${path}"] input`);
  }

  /** Waits until the verdict line says `text` (a string it contains, or a RegExp). */
  async verdict(text, timeout = 15000) {
    await this.page.getByTestId("verdict").filter({ hasText: text }).waitFor({ timeout });
  }

  /** Presses the resume (or, through a gate, approve) button. */
  async resume() {
    await this.page.getByTestId("resume").click();
  }

  /** What the page says happened to its decision (a result or an error), once it says it. */
  outcome(timeout) {
    return outcomeOf(this.page, timeout);
  }
}

/** What a run page (`page`) says happened to its decision, once it says it. */
export async function outcomeOf(page, timeout = 45000) {
  await page.locator('[data-testid="outcome"] > *').waitFor({ timeout });
  return page.getByTestId("outcome").textContent();
}

/** The settings page: opens it, applies `choices`, saves, and waits for "Saved.".
 * `choices`: `decider` (your name), `auth` ("none" | "basic" | "bearer"), `secret`,
 * `remember` (the secret in this browser). */
export async function saveSettings(page, base, choices) {
  await page.goto(`${base}/settings`);
  if (choices.auth !== undefined) await page.getByLabel("Sign in with").selectOption(choices.auth);
  if (choices.secret !== undefined) await page.getByTestId("secret").fill(choices.secret);
  if (choices.remember !== undefined) await page.getByTestId("remember").setChecked(choices.remember);
  if (choices.decider !== undefined) await page.getByTestId("decider").fill(choices.decider);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved.").waitFor();
}

/** The state changes `page` sends to Prefect (each resume's and set_state's URL), as sent. */
export function watchStateChanges(page) {
  const sent = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (r.method() === "POST" && !path.startsWith("/gate/") && /\/flow_runs\/[^/]+\/(resume|set_state)$/.test(path)) sent.push(r.url());
  });
  return sent;
}
