export const id = 892;
export const ids = [892];
export const modules = {

/***/ 8892:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  connect: () => (/* binding */ connect)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 20 modules
var core = __webpack_require__(3218);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ec2/dist-cjs/index.js
var dist_cjs = __webpack_require__(5193);
// EXTERNAL MODULE: ./src/clock.ts
var clock = __webpack_require__(9373);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/credential-providers/dist-cjs/index.js
var credential_providers_dist_cjs = __webpack_require__(9719);
// EXTERNAL MODULE: ./src/duration.ts
var duration = __webpack_require__(7607);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/credentials.ts
/**
 * AWS credentials for the bake: GitHub OIDC token -> STS AssumeRoleWithWebIdentity, renewed with a
 * fresh OIDC token before they expire or when AWS says they expired (a runner's ID tokens live
 * minutes, a bake can take hours). Every secret is masked the moment it exists.
 *
 * Renewal never throws good credentials away. From the moment a quarter of the session is left (at
 * most 5 minutes before expiry) it is tried in the background, with backoff and jitter, while every
 * request keeps signing with the credentials held. Only a request that finds them expired waits, and
 * the step fails only if renewal still fails then. So a token endpoint that is down for less than the
 * renewal window costs nothing, and however many requests come in meanwhile, each session is renewed
 * by one exchange at a time (the SDK would otherwise ask for every request in its refresh window).
 */



/** Attempts at STS (throttling, 5xx, dropped connections; the SDK's retry strategy). */
const MAX_ATTEMPTS = 8;
/** Exchanges (token, then AssumeRoleWithWebIdentity) a request that holds no valid credentials waits for. */
const ACQUIRE_ATTEMPTS = 4;
/** Renewal starts when this share of the session is left, */
const RENEW_SHARE = 1 / 4;
/** and at most this long before expiry, as the SDK's own providers do. */
const RENEW_LEAD_MAX_MS = 5 * 60 * 1000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30_000;
function roleCredentials(settings, region, deps) {
    let held;
    /** The one exchange in flight: background renewal and held-up requests share it. */
    let exchange;
    /** Requests held up for credentials share one acquisition. */
    let acquiring;
    /** Exchanges tried since the last success, and since when: for the sentence if renewal fails. */
    let tries = 0;
    let triesSince = 0;
    const obtain = async () => {
        if (!deps.canRequestIdToken()) {
            throw new errors/* AwsError */.Gy('AssumeRoleWithWebIdentity', 'MissingIdTokenPermission', `'role-to-assume' is set but this job cannot request a GitHub OIDC token. ` +
                `Give the job 'permissions: id-token: write' (and 'contents: read') in the workflow.`);
        }
        const token = await deps.getIDToken(settings.audience).catch((error) => {
            throw new errors/* AwsError */.Gy('GetIDToken', 'IdTokenRequestFailed', describeTokenFailure(error), error);
        });
        try {
            const credentials = await (0,credential_providers_dist_cjs/* fromWebToken */.G7)({
                roleArn: settings.roleArn,
                roleSessionName: settings.sessionName,
                durationSeconds: settings.durationSeconds,
                webIdentityToken: token,
                clientConfig: { region, maxAttempts: MAX_ATTEMPTS }
            })();
            for (const secret of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]) {
                if (secret)
                    deps.mask(secret);
            }
            return newSession(credentials, deps.now());
        }
        catch (error) {
            throw explainAssumeRoleError(error, settings, token);
        }
    };
    const install = (session) => {
        const renewed = held !== undefined;
        held?.stop.abort();
        held = session;
        if (renewed) {
            const until = session.expiresAt === undefined ? '' : `, valid until ${isoSeconds(session.expiresAt)}`;
            deps.info(`Renewed the AWS credentials of ${settings.roleArn}${tries > 1 ? ` after ${tries} attempts` : ''}${until}.`);
        }
        tries = 0;
        void renewInBackground(session);
    };
    /** Starts an exchange, or joins the one in flight; whoever started it, its credentials are installed once. */
    const exchangeOnce = () => {
        if (exchange)
            return exchange;
        if (tries++ === 0)
            triesSince = deps.now();
        const current = obtain();
        exchange = current;
        // Registered before any caller awaits it, so the new session is held before they carry on.
        current.then(session => {
            exchange = undefined;
            install(session);
        }, () => (exchange = undefined));
        return current;
    };
    const renewInBackground = async (session) => {
        if (session.renewAt === undefined || deps.signal?.aborted)
            return;
        const { signal } = session.stop;
        const cancel = () => session.stop.abort();
        deps.signal?.addEventListener('abort', cancel, { once: true });
        try {
            await deps.idle(session.renewAt - deps.now(), signal);
            for (let attempt = 1; !signal.aborted; attempt++) {
                try {
                    await exchangeOnce();
                    return;
                }
                catch (error) {
                    const left = (session.expiresAt ?? Infinity) - deps.now();
                    if (attempt === 1) {
                        const until = session.expiresAt === undefined ? '' : ` (until ${isoSeconds(session.expiresAt)})`;
                        deps.info(`Could not renew the AWS credentials yet: ${(0,errors/* describeClause */.Lp)(error)}. The held ones are used meanwhile${until}.`);
                    }
                    // Past expiry the requests that need credentials take over (acquire); a lasting failure can wait for them.
                    if (!isPassing(error) || !(left > 0))
                        return;
                    // Never sleeps past expiry, so that the last try comes no later than the moment it is needed.
                    await deps.idle(Math.min(backoff(attempt, deps.random()), left), signal);
                }
            }
        }
        finally {
            deps.signal?.removeEventListener('abort', cancel);
        }
    };
    const acquire = async () => {
        const expired = held;
        // From here renewal is this request's business; an exchange in flight is joined, not repeated.
        expired?.stop.abort();
        const fail = (error) => explainFailure(error, settings, expired, { tries, forMs: deps.now() - triesSince });
        for (let attempt = 1;; attempt++) {
            try {
                return (await exchangeOnce()).credentials;
            }
            catch (error) {
                if (!isPassing(error) || attempt >= ACQUIRE_ATTEMPTS || deps.signal?.aborted)
                    throw fail(error);
                await deps.sleep(backoff(attempt, deps.random()), deps.signal);
                if (deps.signal?.aborted)
                    throw fail(error);
            }
        }
    };
    const provider = Object.assign(async () => {
        if (held && isValid(held, deps.now()))
            return held.credentials;
        // A failed acquisition is not kept: the next request tries again.
        acquiring ??= acquire().finally(() => (acquiring = undefined));
        return acquiring;
    }, { memoized: true });
    const renew = (since = Infinity) => {
        if (!held || held.obtainedAt > since)
            return;
        held.expiresAt = Math.min(held.expiresAt ?? Infinity, deps.now());
    };
    return { provider, renew };
}
function newSession(credentials, obtainedAt) {
    const expiresAt = credentials.expiration?.getTime();
    const stop = new AbortController();
    // An Expiration already past by our clock says our clock is off rather than the session: rely on AWS
    // to say when it ends (RequestExpired), or every request would assume the role again.
    if (expiresAt === undefined || !(expiresAt > obtainedAt)) {
        return { credentials, obtainedAt, expiresAt: undefined, renewAt: undefined, stop };
    }
    const lead = Math.min((expiresAt - obtainedAt) * RENEW_SHARE, RENEW_LEAD_MAX_MS);
    return { credentials, obtainedAt, expiresAt, renewAt: expiresAt - lead, stop };
}
function isValid(session, now) {
    return session.expiresAt === undefined || now < session.expiresAt;
}
/** Exponential, capped, with "equal jitter": at least half the step, so that retries never bunch up at zero. */
function backoff(attempt, random) {
    const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return step / 2 + (step / 2) * random;
}
/** STS codes that a later try (with a new token) can get past. */
const PASSING_STS_CODES = [
    'Throttling',
    'ThrottlingException',
    'RequestLimitExceeded',
    'InternalFailure',
    'InternalError',
    'ServiceUnavailable',
    'IDPCommunicationError',
    'ExpiredTokenException'
];
/** Whether a failed exchange is worth another try: a passing problem, not a trust policy or a missing permission. */
function isPassing(error) {
    if (!(error instanceof errors/* AwsError */.Gy))
        return false;
    if (error.code === 'IdTokenRequestFailed') {
        const status = tokenStatus(error.cause);
        return status === undefined || status >= 500 || status === 408 || status === 429;
    }
    if (error.operation !== 'AssumeRoleWithWebIdentity' || error.code === 'MissingIdTokenPermission')
        return false;
    const cause = error.cause;
    const status = cause?.$metadata?.httpStatusCode;
    if (PASSING_STS_CODES.includes(error.code))
        return true;
    // STS could not fetch GitHub's signing keys: trouble at GitHub, not a trust problem.
    if (error.code === 'InvalidIdentityToken' && /verification key/i.test((0,errors/* describeError */.Uc)(error.cause)))
        return true;
    return status === undefined || status >= 500;
}
/** The HTTP status in `getIDToken`'s error (`… Error Code : 500 …`); undefined when no answer came. */
function tokenStatus(error) {
    const status = /Error Code : (\d{3})\b/.exec((0,errors/* describeError */.Uc)(error))?.[1];
    return status === undefined ? undefined : Number(status);
}
/** What went wrong with the token request, as a clause: the endpoint's status, or why no answer came. */
function describeTokenFailure(error) {
    const status = tokenStatus(error);
    if (status !== undefined)
        return `GitHub's OIDC token endpoint answered HTTP ${status}`;
    const text = (0,errors/* describeError */.Uc)(error);
    const reason = /Error Message: (.+)/.exec(text)?.[1] ?? text.replace(/^Error message: /, '');
    return `the request to GitHub's OIDC token endpoint failed: ${(0,errors/* describeClause */.Lp)(reason.trim())}`;
}
/** The sentence for a failed acquisition: what failed, and, when held credentials expired, since when renewal did. */
function explainFailure(error, settings, expired, tried) {
    const failure = error instanceof errors/* AwsError */.Gy ? error : explainAssumeRoleError(error, settings, '');
    if (failure.code === 'MissingIdTokenPermission')
        return failure;
    const attempts = `${tried.tries} attempt${tried.tries === 1 ? '' : 's'} in ${(0,duration/* formatDuration */.a)(tried.forMs)}`;
    const expiry = expired &&
        `The AWS credentials of ${settings.roleArn} expired at ${isoSeconds(expired.expiresAt ?? expired.obtainedAt)} and could not be renewed`;
    if (failure.operation === 'GetIDToken') {
        // Not a permission problem: without 'id-token: write' the runner gives no token endpoint at all.
        const advice = `This is on GitHub's side: re-run the job later (https://www.githubstatus.com shows outages).`;
        const sentence = expiry
            ? `${expiry}: ${failure.message} (${attempts}). ${advice}`
            : `Could not get a GitHub OIDC token for audience '${settings.audience}': ${failure.message} (${attempts}). ${advice}`;
        return new errors/* AwsError */.Gy('GetIDToken', failure.code, sentence, failure.cause);
    }
    if (!expiry)
        return failure;
    return new errors/* AwsError */.Gy(failure.operation, failure.code, `${expiry} (${attempts}): ${failure.message}`, failure.cause);
}
function isoSeconds(ms) {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
/** The token's `sub` and `aud` claims, which the role's trust policy has to match; never the token. */
function tokenClaims(token) {
    try {
        const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
        const aud = Array.isArray(payload.aud) ? payload.aud.join(', ') : payload.aud;
        return { sub: typeof payload.sub === 'string' ? payload.sub : undefined, aud: typeof aud === 'string' ? aud : undefined };
    }
    catch {
        return {};
    }
}
function explainAssumeRoleError(error, settings, token) {
    const code = (0,errors/* awsErrorCode */.J6)(error);
    const detail = (0,errors/* describeClause */.Lp)(error);
    const { sub = 'unknown', aud = settings.audience } = tokenClaims(token);
    const trust = `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal ` +
        `token.actions.githubusercontent.com with "token.actions.githubusercontent.com:aud" = "${aud}" and ` +
        `"token.actions.githubusercontent.com:sub" matching "${sub}" (README: IAM trust policy).`;
    const sentence = (() => {
        switch (code) {
            case 'AccessDenied':
                return `Could not assume ${settings.roleArn}: ${detail}. ${trust}`;
            case 'InvalidIdentityToken':
                return (`AWS rejected GitHub's OIDC token for ${settings.roleArn}: ${detail}. Check that the account has the IAM ` +
                    `OIDC identity provider token.actions.githubusercontent.com with audience "${aud}" (input 'audience'). ${trust}`);
            case 'ExpiredTokenException':
                return `GitHub's OIDC token expired before AWS accepted it (${detail}). Re-run the job; if it keeps happening, check the runner's clock.`;
            case 'ValidationError':
                return (`Could not assume ${settings.roleArn} for ${settings.durationSeconds} seconds: ${detail}. ` +
                    `Lower 'role-duration-seconds' or raise the role's maximum session duration.`);
            default:
                return `Could not assume ${settings.roleArn} with GitHub's OIDC token: ${code}: ${detail}.`;
        }
    })();
    return new errors/* AwsError */.Gy('AssumeRoleWithWebIdentity', code, sentence, error);
}

;// CONCATENATED MODULE: ./src/attempts.ts
/**
 * What became of each attempt the SDK made of one call, so that a later `InvalidAMIName.Duplicate` can be
 * told apart: our own lost CreateImage, or another run's image that happens to bear the same name.
 *
 * CreateImage takes no client token, so EC2 cannot tell us that a retry is a repeat; we have to know whether
 * an earlier attempt may have done the work without our hearing so.
 */

/**
 * How far EC2's CreationDate may fall outside the span of the attempt that made the image, beyond the clock
 * skew the SDK measured. The SDK takes its `systemClockOffset` from the Date header of each answer, in whole
 * seconds, and EC2 gives CreationDate in whole seconds too: two seconds of rounding, and some for the time
 * an answer takes to arrive.
 */
const CREATION_SLACK_MS = 5_000;
/**
 * Connection failures that mean the request never left this machine, so EC2 cannot have acted on it.
 * A reset or timeout on an open connection is different: the request may have been processed.
 */
const NEVER_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'];
/**
 * 503 codes by which EC2 turns a request away before doing anything: "the server is overloaded and cannot
 * handle the request". Throttling codes are the same kind of answer.
 */
const TURNED_AWAY = ['Unavailable', 'ServiceUnavailable'];
/**
 * Whether a failed attempt may still have done its work. Only an answer that says "no" proves it did not:
 * a client error (4xx), throttling, EC2's overload refusal, or a connection that was never made. A dropped
 * connection or a timeout leaves the outcome unknown, and so does a 5xx without a code (a proxy or load
 * balancer answered, not EC2).
 *
 * A 5xx that carries EC2's `InternalError` counts as unknown too: AWS documents that a mutating EC2 call
 * may "time out or encounter other server issues" after it has acted, which is why many of them take a
 * client token; CreateImage takes none. Adopting is still bounded by the image's name, its instance and its
 * CreationDate, so an image of another run is taken only if it was made while that very attempt was in
 * flight.
 */
function mayHaveActed(error) {
    const { name, code, $metadata } = (error ?? {});
    const status = $metadata?.httpStatusCode;
    if (status === undefined)
        return !NEVER_SENT.includes(code ?? '');
    // A 2xx that failed to parse still did its work.
    if (status < 300)
        return true;
    if (status < 500)
        return false;
    return !((0,errors/* isThrottling */.E2)(error) || TURNED_AWAY.includes(name ?? ''));
}
/** Every attempt of one call, across the SDK's retries and our own renewal of credentials. */
class AttemptLog {
    now;
    attempts = [];
    /** `now` is Date.now unless a test says otherwise: the SDK measures EC2's clock against it. */
    constructor(now = Date.now) {
        this.now = now;
    }
    /** Runs one attempt and records what became of it; a caller places this inside the SDK's retries. */
    async record(attempt) {
        const sentAt = this.now();
        try {
            const result = await attempt();
            this.attempts.push({ sentAt, endedAt: this.now(), mayHaveActed: true });
            return result;
        }
        catch (error) {
            this.attempts.push({ sentAt, endedAt: this.now(), mayHaveActed: mayHaveActed(error) });
            throw error;
        }
    }
    /** Some attempt may have done its work: it failed in a way that leaves that open. */
    someMayHaveActed() {
        return this.attempts.some(attempt => attempt.mayHaveActed);
    }
    /**
     * Whether a resource the service stamped with `createdAt` (its own clock, ms) can be the work of one of
     * our attempts that may have acted: made while that attempt was in flight, given that the service's clock
     * runs `clockOffsetMs` ahead of ours (the SDK's `systemClockOffset`).
     */
    couldHaveMade(createdAt, clockOffsetMs) {
        return this.attempts.some(attempt => attempt.mayHaveActed &&
            createdAt >= attempt.sentAt + clockOffsetMs - CREATION_SLACK_MS &&
            createdAt <= attempt.endedAt + clockOffsetMs + CREATION_SLACK_MS);
    }
}

;// CONCATENATED MODULE: ./src/ec2/adopt.ts
/**
 * Making an image (CreateImage, RegisterImage) so that a lost answer does not fail the run or make a second image:
 * every attempt is recorded, and a duplicate name that one of our own attempts may have made is adopted.
 */



/**
 * Sends the call that makes an image (CreateImage, RegisterImage), recording every attempt: the SDK's
 * retries, and a send again after renewed credentials. The SDK retries a call whose answer was lost; if
 * the lost attempt had worked, the retry meets our own image as a duplicate: find it rather than fail or
 * make a second. When every earlier attempt was refused (throttled, say), the image is not ours: report it.
 */
async function makeImage({ call, client, region, sleep }, operation, where, madeFromOurSource, send) {
    const attempts = new AttemptLog();
    const output = await call(operation, where, () => send(attempts)).catch(async (error) => {
        if (!(error instanceof errors/* AwsError */.Gy) || error.code !== 'InvalidAMIName.Duplicate' || !attempts.someMayHaveActed())
            throw error;
        const ImageId = await call('DescribeImages', where, () => findOwnImage(client, where.name, madeFromOurSource, attempts, sleep));
        if (!ImageId)
            throw error;
        return { ImageId };
    });
    if (!output.ImageId)
        throw new Error(`${operation} in ${region} answered without an image id`);
    return output.ImageId;
}
/**
 * Pauses between looks for the image that holds our name when EC2 does not list it yet: its describe calls
 * are eventually consistent, and the image a lost attempt made is seconds old. About 15 s in all.
 */
const LOOK_AGAIN_MS = [1_000, 2_000, 4_000, 8_000];
/**
 * The image named `name` that one of this call's own attempts may have made: from our source (`fromSource`:
 * our instance, or our snapshot as root), and created while such an attempt was in flight, on EC2's clock as
 * the SDK measured it.
 */
async function findOwnImage(client, name, fromSource, attempts, sleep) {
    for (const pause of [0, ...LOOK_AGAIN_MS]) {
        if (pause > 0)
            await sleep(pause);
        const output = await client.send(new dist_cjs/* DescribeImagesCommand */.ji5({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }));
        const named = (output.Images ?? []).filter(image => image.Name === name);
        // AMI names are unique per account and region: once EC2 lists the image that holds ours, it is ours or not.
        if (named.length === 0)
            continue;
        const clockOffset = client.config.systemClockOffset ?? 0;
        const own = named.find(candidate => fromSource(candidate) &&
            attempts.couldHaveMade(Date.parse(candidate.CreationDate ?? ''), clockOffset));
        return own?.ImageId;
    }
    return undefined;
}
/**
 * Records each attempt of `command` in `log`. Placed inside the SDK's retries and signing and just outside
 * the parsing of the answer, it sees every attempt: the error EC2 answered with, or that no answer came.
 */
function recordAttempts(command, log) {
    // The middleware passes input and output through untouched, so one stack type serves both commands.
    const stack = command.middlewareStack;
    stack.add(next => args => log.record(() => next(args)), {
        step: 'deserialize',
        priority: 'high',
        name: 'recordAttempts'
    });
    return command;
}

// EXTERNAL MODULE: ./src/renewing-call.ts
var renewing_call = __webpack_require__(2045);
;// CONCATENATED MODULE: ./src/ec2/calls.ts
/**
 * The call wrapper: each EC2 call renews expired role credentials once before giving up, and turns AWS errors into
 * sentences where it is made, with the reason for a denial when STS may decode it.
 */


/** The call wrapper for one region and principal. */
function caller(options) {
    const { region, principal } = options;
    const call = (operation, where, send) => (0,renewing_call/* sendRenewing */.q)(send, options.renewCredentials, error => explain(operation, error, where));
    async function explain(operation, error, where) {
        // Already explained: a credentials failure (OIDC, AssumeRole) surfaces inside the EC2 call.
        if (error instanceof errors/* AwsError */.Gy)
            return error;
        const denial = (0,errors/* awsErrorCode */.J6)(error) === 'UnauthorizedOperation' ? await whyDenied(error) : undefined;
        return (0,errors/* explainEc2Error */.wt)(operation, error, { region, principal, ...where, denial });
    }
    /** EC2 encodes the reason for a denial; STS may decode it, if the principal is allowed to ask. */
    async function whyDenied(error) {
        const encoded = /Encoded authorization failure message: (\S+)/.exec(error.message)?.[1];
        if (!encoded)
            return undefined;
        const decoded = await options.decodeAuthorization?.(encoded).catch(() => undefined);
        return decoded
            ? describeDenial(decoded)
            : `To see why, decode the message with a principal allowed sts:DecodeAuthorizationMessage: aws sts decode-authorization-message --encoded-message ${encoded}`;
    }
    return call;
}
/** A DryRun call: resolves when it would be allowed, throws the translated refusal otherwise. */
async function dryRun(call, operation, where, send) {
    await call(operation, where, () => send().then(() => undefined, 
    // EC2's way of saying "this would have succeeded".
    error => ((0,errors/* awsErrorCode */.J6)(error) === 'DryRunOperation' ? undefined : Promise.reject(error))));
}
/** The decoded authorization message (JSON) as a clause: what was denied, on what, and by which rule. */
function describeDenial(decoded) {
    try {
        const message = JSON.parse(decoded);
        const { action = 'the action', resource = 'the resource' } = message.context ?? {};
        const statements = (message.matchedStatements?.items ?? []).flatMap(item => (item.statementId ? [item.statementId] : []));
        return message.explicitDeny
            ? `AWS says an explicit Deny${statements.length ? ` (statement ${statements.join(', ')})` : ''} blocks ${action} on ${resource}: an Allow cannot override it; change or remove that Deny (an SCP or permissions boundary may hold it).`
            : `AWS says no policy allows ${action} on ${resource}.`;
    }
    catch {
        return `AWS's decoded reason: ${decoded}`;
    }
}

;// CONCATENATED MODULE: ./src/ec2/commands.ts
/** The SDK commands our requests become, with their tags. */

function createImageCommand(request, dryRun) {
    return new dist_cjs/* CreateImageCommand */.T6T({
        InstanceId: request.instanceId,
        Name: request.name,
        Description: request.description || undefined,
        NoReboot: request.noReboot,
        TagSpecifications: tagSpecifications(request),
        BlockDeviceMappings: request.blockDeviceMappings.length ? [...request.blockDeviceMappings] : undefined,
        SnapshotLocation: request.snapshotLocation,
        DryRun: dryRun || undefined
    });
}
/**
 * The root mapping comes from the snapshot and the root-volume settings; DeleteOnTermination so that an
 * instance launched from the image does not leave its root volume behind. The user's mappings follow.
 */
function registerImageCommand(request, dryRun) {
    return new dist_cjs/* RegisterImageCommand */.kUQ({
        Name: request.name,
        Description: request.description || undefined,
        Architecture: request.architecture,
        RootDeviceName: request.rootDeviceName,
        VirtualizationType: request.virtualizationType,
        BootMode: request.bootMode,
        EnaSupport: request.enaSupport,
        TpmSupport: request.tpmSupport,
        BlockDeviceMappings: [
            {
                DeviceName: request.rootDeviceName,
                Ebs: { SnapshotId: request.snapshotId, VolumeType: request.rootVolumeType, VolumeSize: request.rootVolumeSize, DeleteOnTermination: true }
            },
            ...request.blockDeviceMappings
        ],
        // The image only: the snapshot is the user's, and RegisterImage tags nothing else.
        TagSpecifications: tagSpecifications({ tags: request.tags, snapshotTags: [] }),
        DryRun: dryRun || undefined
    });
}
function launchTemplateVersionCommand(templateId, imageId, description, clientToken, dryRun) {
    return new dist_cjs/* CreateLaunchTemplateVersionCommand */.B_$({
        LaunchTemplateId: templateId,
        SourceVersion: '$Default',
        VersionDescription: description || undefined,
        LaunchTemplateData: { ImageId: imageId },
        ClientToken: clientToken,
        DryRun: dryRun || undefined
    });
}
function tagSpecifications(request) {
    const specifications = [
        ...(request.tags.length ? [{ ResourceType: 'image', Tags: sdkTags(request.tags) }] : []),
        ...(request.snapshotTags.length ? [{ ResourceType: 'snapshot', Tags: sdkTags(request.snapshotTags) }] : [])
    ];
    return specifications.length ? specifications : undefined;
}
function sdkTags(tags) {
    return tags.map(tag => ({ Key: tag.key, Value: tag.value }));
}

;// CONCATENATED MODULE: ./src/ec2/shapes.ts
/** An audience as ModifyImageAttribute's LaunchPermission items. */
function permissionItems(audience) {
    return [
        ...audience.accounts.map(UserId => ({ UserId })),
        ...audience.organizations.map(OrganizationArn => ({ OrganizationArn })),
        ...audience.ous.map(OrganizationalUnitArn => ({ OrganizationalUnitArn }))
    ];
}
function tagRecord(tags) {
    return Object.fromEntries((tags ?? []).flatMap(tag => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? '']])));
}
function ownedImage(image) {
    return {
        imageId: image.ImageId ?? '',
        name: image.Name ?? '',
        state: image.State ?? 'pending',
        creationDate: image.CreationDate ?? '',
        snapshotIds: snapshotIdsOf(image),
        tags: tagRecord(image.Tags),
        deregistrationProtection: image.DeregistrationProtection ?? 'disabled',
        lastLaunchedTime: image.LastLaunchedTime
    };
}
/** The key a snapshot or volume is encrypted with, as `kmsKeyId`; nothing when it is not encrypted. */
function keyOf(encrypted) {
    return encrypted.Encrypted ? { kmsKeyId: encrypted.KmsKeyId ?? 'unknown' } : {};
}
function snapshotIdsOf(image) {
    return (image.BlockDeviceMappings ?? []).flatMap(mapping => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []));
}
function observeImage(image) {
    return {
        state: image.State ?? 'pending',
        stateReason: image.StateReason && { code: image.StateReason.Code, message: image.StateReason.Message },
        snapshotIds: snapshotIdsOf(image)
    };
}

;// CONCATENATED MODULE: ./src/ec2/paging.ts
/** Lists too long for one call: batches within EC2's limits, and the loops that read every page. */


/** EC2 takes at most this many values in one filter. */
const FILTER_VALUES_MAX = 200;
/** DescribeImageReferences takes at most this many image ids a call. */
const IMAGE_REFERENCES_IDS_MAX = 10;
/** `items` in lists of at most `size`, in order; none for none. */
function batches(items, size) {
    const lists = [];
    for (let i = 0; i < items.length; i += size)
        lists.push(items.slice(i, i + size));
    return lists;
}
/**
 * DescribeSnapshots of the account's own snapshots among these, every page, through a `snapshot-id` filter (at most
 * 200 values a call): a snapshot gone, or not shown yet, is left out instead of failing the call
 * (InvalidSnapshot.NotFound).
 */
async function ownSnapshots(call, client, snapshotIds) {
    const found = [];
    for (const batch of batches(snapshotIds, FILTER_VALUES_MAX)) {
        let NextToken;
        do {
            const output = await call('DescribeSnapshots', {}, () => client.send(new dist_cjs/* DescribeSnapshotsCommand */.MmI({ OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: batch }], NextToken })));
            found.push(...(output.Snapshots ?? []));
            NextToken = output.NextToken;
        } while (NextToken);
    }
    return found;
}
/** DescribeImages of the account's own images, every page, keeping those `exact` accepts (filters take wildcards). */
async function findImages(call, client, where, Filters, exact) {
    const found = [];
    let NextToken;
    do {
        const output = await call('DescribeImages', where, () => client.send(new dist_cjs/* DescribeImagesCommand */.ji5({ Owners: ['self'], Filters, NextToken })));
        found.push(...(output.Images ?? []).map(ownedImage).filter(exact));
        NextToken = output.NextToken;
    } while (NextToken);
    return found;
}

;// CONCATENATED MODULE: ./src/ec2/client.ts
/**
 * Thin typed EC2 calls for one region. Each call turns AWS errors into sentences where it is made, and
 * renews expired role credentials once before giving up.
 */








function ec2(options) {
    const { region, principal, client } = options;
    const sleep = options.sleep ?? ((ms) => clock/* realClock */.d.sleep(ms));
    const call = caller(options);
    const maker = { call, client, region, sleep };
    return {
        region,
        principal,
        async createImage(request) {
            const fromInstance = (image) => image.SourceInstanceId === request.instanceId;
            return makeImage(maker, 'CreateImage', { instanceId: request.instanceId, name: request.name }, fromInstance, attempts => client.send(recordAttempts(createImageCommand(request, false), attempts)));
        },
        async checkCreateImage(request) {
            await dryRun(call, 'CreateImage', { instanceId: request.instanceId, name: request.name }, () => client.send(createImageCommand(request, true)));
        },
        async registerImage(request) {
            const fromSnapshot = (image) => image.RootDeviceName === request.rootDeviceName &&
                (image.BlockDeviceMappings ?? []).some(mapping => mapping.DeviceName === request.rootDeviceName && mapping.Ebs?.SnapshotId === request.snapshotId);
            return makeImage(maker, 'RegisterImage', { snapshotId: request.snapshotId, name: request.name }, fromSnapshot, attempts => client.send(recordAttempts(registerImageCommand(request, false), attempts)));
        },
        async checkRegisterImage(request) {
            await dryRun(call, 'RegisterImage', { snapshotId: request.snapshotId, name: request.name }, () => client.send(registerImageCommand(request, true)));
        },
        async describeSourceSnapshot(snapshotId) {
            const output = await call('DescribeSnapshots', { snapshotId }, () => client.send(new dist_cjs/* DescribeSnapshotsCommand */.MmI({ SnapshotIds: [snapshotId] })));
            const snapshot = output.Snapshots?.find(found => found.SnapshotId === snapshotId);
            if (!snapshot) {
                // EC2 answers NotFound for an id it does not know; an empty answer means the same.
                throw (0,errors/* explainEc2Error */.wt)('DescribeSnapshots', Object.assign(new Error(`The snapshot '${snapshotId}' does not exist.`), { name: 'InvalidSnapshot.NotFound' }), {
                    region,
                    principal,
                    snapshotId
                });
            }
            return {
                snapshotId,
                state: snapshot.State ?? 'pending',
                progress: Number.parseInt(snapshot.Progress ?? '0', 10) || 0,
                sizeGiB: snapshot.VolumeSize ?? 0,
                ...keyOf(snapshot)
            };
        },
        async instanceVolumes(instanceId) {
            const volumes = [];
            let NextToken;
            do {
                const output = await call('DescribeVolumes', { instanceId }, () => client.send(new dist_cjs/* DescribeVolumesCommand */.U$W({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }], NextToken })));
                for (const volume of output.Volumes ?? []) {
                    const attachment = volume.Attachments?.find(found => found.InstanceId === instanceId);
                    volumes.push({ volumeId: volume.VolumeId ?? '', device: attachment?.Device ?? '', ...keyOf(volume) });
                }
                NextToken = output.NextToken;
            } while (NextToken);
            return volumes;
        },
        async defaultKmsKeyId() {
            const output = await call('GetEbsDefaultKmsKeyId', {}, () => client.send(new dist_cjs/* GetEbsDefaultKmsKeyIdCommand */.O8S({})));
            return output.KmsKeyId ?? 'alias/aws/ebs';
        },
        async describeImage(imageId) {
            const output = await call('DescribeImages', { imageId }, () => client.send(new dist_cjs/* DescribeImagesCommand */.ji5({ ImageIds: [imageId] })).catch(error => {
                // Right after CreateImage, EC2 may not show the image yet (eventual consistency); once deregistered, it
                // answers Unavailable for a while, then NotFound. The waiter tells these apart by when they come.
                if (['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'].includes((0,errors/* awsErrorCode */.J6)(error)))
                    return { Images: [] };
                throw error;
            }));
            const image = output.Images?.[0];
            return image && observeImage(image);
        },
        async describeSnapshots(snapshotIds) {
            return (await ownSnapshots(call, client, snapshotIds)).map(snapshot => ({
                snapshotId: snapshot.SnapshotId ?? '',
                state: snapshot.State ?? 'pending',
                progress: Number.parseInt(snapshot.Progress ?? '0', 10) || 0
            }));
        },
        async findSnapshotsOf(imageId) {
            const output = await call('DescribeSnapshots', { imageId }, () => client.send(new dist_cjs/* DescribeSnapshotsCommand */.MmI({
                OwnerIds: ['self'],
                // CreateImage's: `Created by CreateImage(i-…) for ami-… from vol-…`; CopyImage's: `Copied for DestinationAmi ami-… from SourceAmi …`.
                Filters: [{ Name: 'description', Values: [`*for ${imageId} *`, `*for ${imageId}`, `*DestinationAmi ${imageId} *`] }]
            })));
            return (output.Snapshots ?? []).flatMap(snapshot => (snapshot.SnapshotId ? [snapshot.SnapshotId] : []));
        },
        async deregisterImage(imageId) {
            return call('DeregisterImage', { imageId }, () => client.send(new dist_cjs/* DeregisterImageCommand */.x2c({ ImageId: imageId })).then(() => true, 
            // EC2 answers Unavailable for an image deregistered a short while ago, NotFound once it has forgotten it.
            error => (['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'].includes((0,errors/* awsErrorCode */.J6)(error)) ? false : Promise.reject(error))));
        },
        async deleteSnapshot(snapshotId) {
            return call('DeleteSnapshot', {}, () => client.send(new dist_cjs/* DeleteSnapshotCommand */.tZN({ SnapshotId: snapshotId })).then(() => true, error => ((0,errors/* awsErrorCode */.J6)(error) === 'InvalidSnapshot.NotFound' ? false : Promise.reject(error))));
        },
        async copyImage(request) {
            const { sourceRegion, sourceImageId, name, clientToken } = request;
            const output = await call('CopyImage', { imageId: sourceImageId, name }, () => client.send(new dist_cjs/* CopyImageCommand */.SDF({
                SourceRegion: sourceRegion,
                SourceImageId: sourceImageId,
                Name: name,
                Description: request.description || undefined,
                ClientToken: clientToken,
                TagSpecifications: tagSpecifications(request),
                Encrypted: request.kmsKeyId === undefined ? undefined : true,
                KmsKeyId: request.kmsKeyId,
                SnapshotCopyCompletionDurationMinutes: request.completionMinutes
            })));
            if (!output.ImageId)
                throw new Error(`CopyImage in ${region} answered without an image id`);
            return output.ImageId;
        },
        async findImagesNamed(name) {
            return findImages(call, client, { name }, [{ Name: 'name', Values: [name] }], image => image.name === name);
        },
        async findImagesTagged(key, value) {
            return findImages(call, client, {}, [{ Name: `tag:${key}`, Values: [value] }], image => image.tags[key] === value);
        },
        async findImagesUsing(snapshotIds) {
            const found = [];
            for (const batch of batches(snapshotIds, FILTER_VALUES_MAX)) {
                found.push(...(await findImages(call, client, {}, [{ Name: 'block-device-mapping.snapshot-id', Values: batch }], () => true)));
            }
            return found;
        },
        async describeOwnSnapshots(snapshotIds) {
            return (await ownSnapshots(call, client, snapshotIds)).map(snapshot => ({
                snapshotId: snapshot.SnapshotId ?? '',
                description: snapshot.Description ?? '',
                tags: tagRecord(snapshot.Tags),
                ...keyOf(snapshot)
            }));
        },
        async imageReferences(imageIds) {
            const references = new Map();
            for (const batch of batches(imageIds, IMAGE_REFERENCES_IDS_MAX)) {
                let NextToken;
                do {
                    const output = await call('DescribeImageReferences', {}, () => client.send(new dist_cjs/* DescribeImageReferencesCommand */._20({ ImageIds: batch, IncludeAllResourceTypes: true, NextToken })));
                    for (const { ImageId, Arn } of output.ImageReferences ?? []) {
                        if (ImageId && Arn)
                            references.set(ImageId, [...(references.get(ImageId) ?? []), Arn]);
                    }
                    NextToken = output.NextToken;
                } while (NextToken);
            }
            return references;
        },
        async launchPermissions(imageId) {
            const output = await call('DescribeImageAttribute', { imageId }, () => client.send(new dist_cjs/* DescribeImageAttributeCommand */.OkE({ ImageId: imageId, Attribute: 'launchPermission' })));
            const permissions = output.LaunchPermissions ?? [];
            return {
                accounts: permissions.flatMap(permission => (permission.UserId ? [permission.UserId] : [])),
                organizations: permissions.flatMap(permission => (permission.OrganizationArn ? [permission.OrganizationArn] : [])),
                ous: permissions.flatMap(permission => (permission.OrganizationalUnitArn ? [permission.OrganizationalUnitArn] : []))
            };
        },
        async volumePermissions(snapshotId) {
            const output = await call('DescribeSnapshotAttribute', { snapshotId }, () => client.send(new dist_cjs/* DescribeSnapshotAttributeCommand */.x0J({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' })));
            return (output.CreateVolumePermissions ?? []).flatMap(permission => (permission.UserId ? [permission.UserId] : []));
        },
        async shareImage(imageId, audience) {
            const Add = permissionItems(audience);
            await call('ModifyImageAttribute', { imageId }, () => client.send(new dist_cjs/* ModifyImageAttributeCommand */.FE3({ ImageId: imageId, LaunchPermission: { Add } })));
        },
        async unshareImage(imageId, audience) {
            const Remove = permissionItems(audience);
            await call('ModifyImageAttribute', { imageId }, () => client.send(new dist_cjs/* ModifyImageAttributeCommand */.FE3({ ImageId: imageId, LaunchPermission: { Remove } })));
        },
        async shareSnapshot(snapshotId, accounts) {
            await createVolumePermission(snapshotId, 'add', accounts);
        },
        async unshareSnapshot(snapshotId, accounts) {
            await createVolumePermission(snapshotId, 'remove', accounts);
        },
        async findLaunchTemplate(idOrName) {
            const byId = /^lt-[0-9a-f]{17}$/.test(idOrName);
            const output = await call('DescribeLaunchTemplates', {}, () => client
                .send(new dist_cjs/* DescribeLaunchTemplatesCommand */.fmI(byId ? { LaunchTemplateIds: [idOrName] } : { LaunchTemplateNames: [idOrName] }))
                .catch(error => (/^InvalidLaunchTemplate(Name|Id)\.NotFound/.test((0,errors/* awsErrorCode */.J6)(error)) ? { LaunchTemplates: [] } : Promise.reject(error))));
            const found = output.LaunchTemplates?.[0];
            if (!found?.LaunchTemplateId)
                return undefined;
            return { id: found.LaunchTemplateId, name: found.LaunchTemplateName ?? idOrName, defaultVersion: found.DefaultVersionNumber ?? 1 };
        },
        async createLaunchTemplateVersion(templateId, imageId, description, clientToken) {
            const output = await call('CreateLaunchTemplateVersion', { imageId }, () => client.send(launchTemplateVersionCommand(templateId, imageId, description, clientToken, false)));
            const version = output.LaunchTemplateVersion?.VersionNumber;
            if (version === undefined)
                throw new Error(`CreateLaunchTemplateVersion in ${region} answered without a version number`);
            return version;
        },
        async checkCreateLaunchTemplateVersion(templateId, imageId) {
            await dryRun(call, 'CreateLaunchTemplateVersion', { imageId }, () => client.send(launchTemplateVersionCommand(templateId, imageId, '', undefined, true)));
        },
        async setDefaultLaunchTemplateVersion(templateId, version) {
            await call('ModifyLaunchTemplate', {}, () => client.send(new dist_cjs/* ModifyLaunchTemplateCommand */.ddr({ LaunchTemplateId: templateId, DefaultVersion: String(version) })));
        },
        async deleteLaunchTemplateVersions(templateId, versions) {
            const output = await call('DeleteLaunchTemplateVersions', {}, () => client.send(new dist_cjs/* DeleteLaunchTemplateVersionsCommand */.p7t({ LaunchTemplateId: templateId, Versions: versions.map(String) })));
            const failed = (output.UnsuccessfullyDeletedLaunchTemplateVersions ?? []).filter(item => item.ResponseError?.Code !== 'launchTemplateVersionDoesNotExist');
            if (failed.length > 0) {
                const what = failed.map(item => `version ${item.VersionNumber}: ${item.ResponseError?.Code ?? 'unknown'} ${item.ResponseError?.Message ?? ''}`.trim()).join('; ');
                throw new errors/* AwsError */.Gy('DeleteLaunchTemplateVersions', failed[0].ResponseError?.Code ?? 'unknown', `Could not delete ${what} of ${templateId} in ${region}.`);
            }
        },
        async protectImage(imageId, withCooldown) {
            await call('EnableImageDeregistrationProtection', { imageId }, () => client.send(new dist_cjs/* EnableImageDeregistrationProtectionCommand */.BxO({ ImageId: imageId, WithCooldown: withCooldown })));
        },
        async deprecateImage(imageId, at) {
            await call('EnableImageDeprecation', { imageId }, () => client.send(new dist_cjs/* EnableImageDeprecationCommand */.cJk({ ImageId: imageId, DeprecateAt: at })));
        },
        async requireImdsV2(imageId) {
            await call('ModifyImageAttribute', { imageId }, () => client.send(new dist_cjs/* ModifyImageAttributeCommand */.FE3({ ImageId: imageId, ImdsSupport: { Value: 'v2.0' } })));
        }
    };
    /** ModifySnapshotAttribute: CreateVolumePermission for these accounts, added or removed. */
    async function createVolumePermission(snapshotId, operation, accounts) {
        const permissions = accounts.map(UserId => ({ UserId }));
        await call('ModifySnapshotAttribute', { snapshotId }, () => client.send(new dist_cjs/* ModifySnapshotAttributeCommand */.KD0({
            SnapshotId: snapshotId,
            Attribute: 'createVolumePermission',
            OperationType: operation,
            CreateVolumePermission: operation === 'add' ? { Add: permissions } : { Remove: permissions }
        })));
    }
}

;// CONCATENATED MODULE: ./src/ec2/index.ts
/**
 * Thin typed EC2 calls for one region. Each call turns AWS errors into sentences where it is made, and
 * renews expired role credentials once before giving up.
 */




;// CONCATENATED MODULE: ./src/aws.ts
/**
 * The door to the AWS SDK. main loads this module only after the inputs are valid, so that a bad
 * input fails before the SDK is even read from disk.
 */





/** `signal`: the job's cancellation, which stops credential renewal. */
function connect(credentials, home, signal) {
    const role = credentials.kind === 'oidc'
        ? roleCredentials(credentials, home, {
            getIDToken: audience => core/* getIDToken */.V9(audience),
            mask: secret => core/* setSecret */.Pq(secret),
            info: line => core/* info */.pq(line),
            now: clock/* realClock */.d.now,
            sleep: clock/* realClock */.d.sleep,
            idle: clock/* idle */.N,
            random: Math.random,
            canRequestIdToken: () => Boolean(process.env.ACTIONS_ID_TOKEN_REQUEST_URL && process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN),
            signal
        })
        : undefined;
    const principal = credentials.kind === 'oidc'
        ? `role ${credentials.roleArn} (session ${credentials.sessionName})`
        : 'the credentials from the default chain';
    const clients = new Map();
    const parameterStores = new Map();
    const keyServices = new Map();
    const accountId = credentials.kind === 'oidc' ? /^arn:aws[\w-]*:iam::(\d{12}):/.exec(credentials.roleArn)?.[1] : undefined;
    return {
        ssm(region) {
            let store = parameterStores.get(region);
            if (!store) {
                store = (async () => {
                    const [{ SSMClient }, { ssm }] = await Promise.all([__webpack_require__.e(/* import() */ 736).then(__webpack_require__.t.bind(__webpack_require__, 4736, 19)), Promise.all(/* import() */[__webpack_require__.e(736), __webpack_require__.e(846)]).then(__webpack_require__.bind(__webpack_require__, 4846))]);
                    const client = new SSMClient({ region, credentials: role?.provider, maxAttempts: MAX_ATTEMPTS });
                    return ssm({ region, principal, accountId, client, renewCredentials: role?.renew, sleep: clock/* realClock */.d.sleep });
                })();
                parameterStores.set(region, store);
            }
            return store;
        },
        kms(region) {
            let keys = keyServices.get(region);
            if (!keys) {
                keys = (async () => {
                    const [{ KMSClient }, { kms }] = await Promise.all([__webpack_require__.e(/* import() */ 632).then(__webpack_require__.t.bind(__webpack_require__, 2632, 19)), Promise.all(/* import() */[__webpack_require__.e(632), __webpack_require__.e(546)]).then(__webpack_require__.bind(__webpack_require__, 7546))]);
                    const client = new KMSClient({ region, credentials: role?.provider, maxAttempts: MAX_ATTEMPTS });
                    return kms({ region, principal, client, renewCredentials: role?.renew });
                })();
                keyServices.set(region, keys);
            }
            return keys;
        },
        ec2(region) {
            let client = clients.get(region);
            if (!client) {
                client = ec2({
                    region,
                    principal,
                    client: new dist_cjs/* EC2Client */.gu5({ region, credentials: role?.provider, maxAttempts: MAX_ATTEMPTS }),
                    renewCredentials: role?.renew,
                    decodeAuthorization: encoded => decodeAuthorization(encoded, region, role)
                });
                clients.set(region, client);
            }
            return client;
        }
    };
}
/** Only on the path of a denied call, so its client is loaded only then. */
async function decodeAuthorization(encoded, region, role) {
    const { STSClient, DecodeAuthorizationMessageCommand } = await __webpack_require__.e(/* import() */ 695).then(__webpack_require__.t.bind(__webpack_require__, 1695, 19));
    const sts = new STSClient({ region, credentials: role?.provider, maxAttempts: MAX_ATTEMPTS });
    const output = await sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    return output.DecodedMessage;
}


/***/ }),

/***/ 2045:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ sendRenewing)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/**
 * One AWS call on role credentials that may expire while a long bake runs: when AWS says they expired, the
 * credentials held since the call started are renewed and it is sent once more. Every client (EC2, Parameter Store,
 * KMS) sends its calls through here, each with its own translation of AWS errors into sentences.
 */

async function sendRenewing(send, renewCredentials, explain) {
    // Credentials renewed while this call was out are not the ones AWS refused: they are kept.
    const startedAt = Date.now();
    try {
        return await send();
    }
    catch (error) {
        if (!renewCredentials || !(0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .isExpiredCredentials */ .CW)(error))
            throw await explain(error);
        renewCredentials(startedAt);
        try {
            return await send();
        }
        catch (again) {
            throw await explain(again);
        }
    }
}


/***/ })

};
