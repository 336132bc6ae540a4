/**
 * The GitHub webhook receiver, runtime-neutral: Supabase's Edge Runtime serves it (supabase/functions/github-webhook)
 * and tests call it with plain `Request` objects. Nothing is written unless the signature verifies.
 *
 * Each delivery is applied once (by its X-GitHub-Delivery id; a redelivery is answered as a duplicate), and
 * replays of the same event under new ids are harmless too: pull requests, reviews and comments are upserted by
 * GitHub id and an older `updated_at` never overwrites a newer one, a deleted comment is never brought back, and an
 * older view of the repository never undoes a newer rename.
 *
 * Whatever a request holds, a mistake in it is answered 4xx (400 unusable, 413 too large, 422 refused by the
 * store's checks); only our own failures (the store unreachable, a bug) are 5xx, which GitHub shows as failed
 * deliveries to redeliver.
 */
import { redactSecrets } from '../domain/redact.ts';
import { RestShapeError, restPullRequestToRecord, restRepository } from '../github/map-rest.ts';
import { CHILD_EVENTS, type ChildEvent, childChange } from '../github/map-rest-children.ts';
import { type Store, StoreError } from '../store/types.ts';
import { errorResponse, jsonResponse, PayloadError, parseJsonBody, readBodyWithin } from './http.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones: nothing bigger is a real delivery. */
export const MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024;

/** GitHub's delivery ids are GUIDs; anything printable and short is kept, for GHES and replay tools. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;

export interface GitHubWebhookDeps {
  store: Store;
  secret: string;
}

function deliveryId(request: Request): string {
  const id = request.headers.get('x-github-delivery')?.trim();
  if (!id || !DELIVERY_ID.test(id))
    throw new PayloadError('the X-GitHub-Delivery header is missing or malformed');
  return id;
}

function payloadObject(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new PayloadError('the payload must be an object');
  return payload as Record<string, unknown>;
}

async function storePullRequest(request: Request, payload: unknown, store: Store): Promise<Response> {
  const { action, pull_request: pullRequest, repository } = payloadObject(payload);
  const record = restPullRequestToRecord(pullRequest);
  const repo = restRepository(repository);
  const updatedAt = Date.parse(record.updated_at);
  if (!Number.isFinite(updatedAt)) throw new PayloadError('pull_request.updated_at must be a timestamp');
  const id = deliveryId(request);
  // a new repository is only tracked, not backfilled (selection needs a known PR total unless it is named)
  const receipt = await store.receiveWebhook({
    deliveryId: id,
    event: 'pull_request',
    repository: { owner: repo.owner, name: repo.name, githubId: repo.githubId, nodeId: repo.nodeId },
    observedAt: new Date(Math.max(updatedAt, repo.changedAt ?? updatedAt)).toISOString(),
    prs: [record],
  });
  const answer = { event: 'pull_request', action: typeof action === 'string' ? action : null, delivery: id };
  if (receipt.duplicate) return jsonResponse(200, { ...answer, duplicate: true });
  return jsonResponse(200, {
    ...answer,
    duplicate: false,
    repository: receipt.repository?.fullName ?? null,
    nameApplied: receipt.nameApplied,
    number: record.number,
    inserted: receipt.inserted,
    updated: receipt.updated,
    removed: receipt.removed ?? 0,
  });
}

/**
 * A review or comment created, edited, dismissed or deleted. Only what a tracked repository's stored pull request
 * can hold is written; everything else is acknowledged with 202 and the reason, and left to the backfill.
 */
async function storeChild(
  request: Request,
  event: ChildEvent,
  payload: unknown,
  store: Store,
): Promise<Response> {
  const body = payloadObject(payload);
  const change = childChange(event, body);
  const repo = restRepository(body.repository);
  const id = deliveryId(request);
  const answer = { event, action: body.action, delivery: id };
  if (change.type === 'ignore') return jsonResponse(202, { ...answer, ignored: true, reason: change.reason });
  const ref = {
    deliveryId: id,
    event,
    repository: { owner: repo.owner, name: repo.name, githubId: repo.githubId },
  };
  const receipt =
    change.type === 'delete'
      ? await store.receiveCommentDeletion({ ...ref, kind: change.kind, githubId: change.githubId })
      : await store.receiveChildWebhook({
          ...ref,
          pullRequest: change.pullRequest,
          contributors: change.contributors,
          child: change.child,
        });
  if (receipt.duplicate) return jsonResponse(200, { ...answer, duplicate: true });
  if (receipt.ignored !== null)
    return jsonResponse(202, { ...answer, duplicate: false, ignored: true, reason: receipt.ignored });
  return jsonResponse(200, { ...answer, duplicate: false, applied: receipt.applied });
}

async function handleVerified(
  request: Request,
  body: Uint8Array<ArrayBuffer>,
  store: Store,
): Promise<Response> {
  const event = request.headers.get('x-github-event');
  if (!event) throw new PayloadError('the X-GitHub-Event header is missing');
  const payload = parseJsonBody(body);
  if (event === 'ping') return jsonResponse(200, { event: 'ping', ok: true });
  if (event === 'pull_request') return await storePullRequest(request, payload, store);
  if (CHILD_EVENTS.includes(event)) return await storeChild(request, event as ChildEvent, payload, store);
  return jsonResponse(202, { event, ignored: true });
}

export async function handleGitHubWebhook(request: Request, deps: GitHubWebhookDeps): Promise<Response> {
  if (request.method !== 'POST') return errorResponse(405, 'only POST is accepted');
  if (!deps.secret) return errorResponse(500, 'the webhook secret is not configured');
  try {
    const body = await readBodyWithin(request, MAX_WEBHOOK_BODY_BYTES);
    if (!(await verifyWebhookSignature(deps.secret, body, request.headers.get('x-hub-signature-256')))) {
      return errorResponse(401, 'invalid or missing X-Hub-Signature-256');
    }
    return await handleVerified(request, body, deps.store);
  } catch (error) {
    if (error instanceof PayloadError) return errorResponse(error.status, error.message);
    if (error instanceof RestShapeError) return errorResponse(400, error.message);
    // the store's own checks refused the data (PB004): the delivery is wrong, and redelivering it cannot help
    if (error instanceof StoreError && error.code === 'invalid_input') {
      return errorResponse(422, redactSecrets(error.message, [deps.secret]));
    }
    // store failures: 500 makes GitHub mark the delivery failed so it can be redelivered; details stay in our logs
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.error(`github-webhook: storing the delivery failed: ${redactSecrets(detail, [deps.secret])}`);
    return errorResponse(500, 'storing the delivery failed');
  }
}
