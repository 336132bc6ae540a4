/**
 * The slice of GitHub's REST issues API the reporter uses, as msw handlers over an in-memory store. Like GitHub it
 * requires authentication, filters the listing by state and by *all* the given labels, pages it, and lists pull
 * requests among issues.
 */
import { HttpResponse, http } from 'msw';

export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: string | null;
  comments: string[];
  pull_request?: { url: string };
}

export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
  /** the injected clock's time when the request arrived, if a clock is attached */
  at: number | null;
}

export class FakeIssuesApi {
  issues: StoredIssue[] = [];
  requests: RecordedRequest[] = [];
  clock: { now(): number } | null = null;

  constructor(
    readonly baseUrl: string,
    readonly fullName: string,
  ) {}

  reset(): void {
    this.issues = [];
    this.requests = [];
    this.clock = null;
  }

  seed(issue: Partial<StoredIssue> & { body: string }): StoredIssue {
    const stored: StoredIssue = {
      number: this.issues.length + 1,
      title: 'seeded',
      labels: [],
      state: 'open',
      state_reason: null,
      comments: [],
      ...issue,
    };
    this.issues.push(stored);
    return stored;
  }

  open(): StoredIssue[] {
    return this.issues.filter((issue) => issue.state === 'open' && !issue.pull_request);
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((request) => request.method !== 'GET');
  }

  get handlers() {
    const base = `${this.baseUrl}/repos/${this.fullName}/issues`;
    const find = (number: unknown) => this.issues.find((issue) => issue.number === Number(number));
    const record = async (request: Request): Promise<Response | null> => {
      this.requests.push({
        method: request.method,
        url: request.url,
        body: request.method === 'GET' ? '' : await request.clone().text(),
        at: this.clock ? this.clock.now() : null,
      });
      const auth = request.headers.get('authorization');
      return auth ? null : HttpResponse.json({ message: 'Requires authentication' }, { status: 401 });
    };

    return [
      http.get(base, async ({ request }) => {
        const denied = await record(request);
        if (denied) return denied;
        const url = new URL(request.url);
        const state = url.searchParams.get('state') ?? 'open';
        const wanted = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const matching = this.issues.filter(
          (issue) =>
            (state === 'all' || issue.state === state) &&
            wanted.every((label) => issue.labels.includes(label)),
        );
        const slice = matching.slice((page - 1) * perPage, page * perPage);
        return HttpResponse.json(
          slice.map((issue) => ({ ...issue, labels: issue.labels.map((name) => ({ name })) })),
        );
      }),
      http.post(base, async ({ request }) => {
        const denied = await record(request);
        if (denied) return denied;
        const input = (await request.json()) as { title: string; body: string; labels?: string[] };
        const issue = this.seed({ title: input.title, body: input.body, labels: input.labels ?? [] });
        return HttpResponse.json(issue, { status: 201 });
      }),
      http.post(`${base}/:number/comments`, async ({ request, params }) => {
        const denied = await record(request);
        if (denied) return denied;
        const issue = find(params.number);
        if (!issue) return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
        const input = (await request.json()) as { body: string };
        issue.comments.push(input.body);
        return HttpResponse.json({ id: issue.comments.length, body: input.body }, { status: 201 });
      }),
      http.patch(`${base}/:number`, async ({ request, params }) => {
        const denied = await record(request);
        if (denied) return denied;
        const issue = find(params.number);
        if (!issue) return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
        const input = (await request.json()) as Partial<Pick<StoredIssue, 'body' | 'state' | 'state_reason'>>;
        Object.assign(issue, input);
        return HttpResponse.json(issue);
      }),
    ];
  }
}
