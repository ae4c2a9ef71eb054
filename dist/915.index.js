export const id = 915;
export const ids = [915];
export const modules = {

/***/ 6915:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  bake: () => (/* binding */ bake)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 20 modules
var core = __webpack_require__(3218);
// EXTERNAL MODULE: ./src/duration.ts
var duration = __webpack_require__(7607);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/wait/cadence.ts
/** All the tuning; each value trades one thing against another, and `npm run bench` measures both sides. */
const CADENCE = {
    /**
     * Looks allowed by second t: the first at once, then `min(earlyPerS·t, max(first + perS·t, longPerS·t))`. More
     * notice sooner, but share the region's throttling bucket with the whole account: this keeps any wait under 0.2
     * requests/s, and under 0.15 from 10 minutes on (`first`/600 + `perS` <= 0.148, then `longPerS`), whenever it
     * ends. `first` is a head start, used up two minutes in: with a floor that does not grow with it, it pays for the
     * reads and the dense looks that end a short bake. More of it starves less but would let the floor fall behind a
     * plain poller at our rate on a short wait that spends it all. From about 10 minutes on (where `longPerS·t` passes
     * the head start's line) a long wait gets the whole rate its target allows: a `perS` kept low for the head start's
     * sake would take looks from the dense end of every long bake. `perS` must exceed 1/`imageGapMs`, or the floor
     * would leave no credit for a read.
     */
    budget: { earlyPerS: 0.195, first: 7, perS: 0.136, longPerS: 0.148 },
    /**
     * A wait starts with looks at the image at these moments, whatever else the cadence would do: a registered image,
     * or one that was nearly done, is available within seconds, and a release should not wait ten for nothing. They are
     * lent on top of the budget, as far as `ceiling` allows. Sooner or more looks notice a fast image sooner, and take
     * looks from the first minute of every longer wait.
     */
    quickLooksMs: [1_000, 2_000, 4_000],
    /**
     * The request-rate targets, which the loan never takes a wait past, whenever it ends: `perS` over any wait of
     * `fromMs` or more, less `spare` requests for a throttled one's retry. The budget of the first minute is already
     * what the first target allows at its end: the loan is paid back before it, at the floor's pace, so that no gap
     * opens; it is lent again where the target leaves room (a short bake's finish), and paid back the same way before
     * the next target begins.
     */
    ceiling: {
        targets: [
            { fromMs: 60_000, perS: 0.2 },
            { fromMs: 600_000, perS: 0.15 }
        ],
        spare: 1
    },
    /**
     * The floor when progress says nothing useful (done in seconds, stuck at 99 %): a fixed gap, just over 1/`perS`, so
     * the head start is saved for reads and dense looks rather than spent on the floor, and a plain poller at our rate
     * is no quicker. Lower notices sooner on those shapes, but starves the reads that save credit.
     */
    imageGapMs: 7_500,
    /** The floor while the finish is far: bounds how late a failure or a vanished image is seen; longer saves credit. */
    farImageGapMs: 20_000,
    /** The finish is far when even at the fastest pace progress allows it is this far off: less thins sooner, riskier. */
    farAheadMs: 30_000,
    /** The densest looks, around the finish: how late a flip is seen then; shorter needs more saved credit. */
    denseGapMs: 1_500,
    /** Reads closing in on the earliest finish halve the way there, down to this: closer pins it, at a read each. */
    approachReadGapMs: 3_000,
    /** Snapshot reads while the finish is far: a third of the time left, within these; rarer saves, later corrects. */
    farReadGapMs: { min: 20_000, max: 60_000 },
    /**
     * Reads with no estimate: a third of the time since a level last moved, within these (each costs an image look);
     * `paceReadGapMs` too once a snapshot moved, to learn its pace. Rarer saves; sooner learns that the finish is far.
     */
    idleReadGapMs: 60_000,
    paceReadGapMs: 15_000,
    /** Readings that jump: how much faster or slower the rest may go. Wider spends on a wider window; narrower misses. */
    paceSlack: 1.25,
    /** After the last snapshot completes the image flips within seconds to a minute: dense looks this long, then the floor. */
    flipSpanMs: 25_000,
    /** Credit the window before the finish leaves for the flip after it (at most half): more for one, less for the other. */
    flipReserve: 12,
    /** Before the snapshots are listed: look this soon, then `discoverGrowth` times later each time, up to the floor. */
    discoverGapMs: 2_000,
    discoverGrowth: 1.5,
    /** A shown image went missing: confirm this soon, this many times. Sooner notices sooner; later rides out a lagging replica. */
    missGapMs: 3_000,
    goneMisses: 3,
    /** An image never shown is gone only after this long: EC2 may not show a new id for a while. */
    unseenGraceMs: 60_000
};
const NOTHING_SEEN = { calls: 0, imageLooks: 0, lastImageAt: -Infinity, lastReadAt: -Infinity, snapshots: [], misses: 0, tracks: {} };
function afterImageLook(seen, now, image) {
    const looks = { calls: seen.calls + 1, imageLooks: seen.imageLooks + 1, lastImageAt: now };
    return { ...seen, ...looks, image: image ?? seen.image, misses: image ? 0 : seen.misses + 1 };
}
function afterSnapshotRead(seen, now, read) {
    const tracks = { ...seen.tracks };
    for (const snapshot of read) {
        const level = snapshot.state === 'completed' ? 100 : Math.max(0, Math.min(100, Math.floor(snapshot.progress)));
        const old = tracks[snapshot.snapshotId];
        if (old && level <= old.level) {
            tracks[snapshot.snapshotId] = { ...old, until: now };
            continue;
        }
        const after = old ? seen.lastReadAt : -Infinity;
        const first = old?.first ?? (level > 0 && level < 100 ? { level, at: now, after } : undefined);
        tracks[snapshot.snapshotId] = { level, at: now, after, until: now, first };
    }
    const ids = seen.image?.snapshotIds ?? [];
    const done = ids.length > 0 && ids.every(id => tracks[id]?.level === 100);
    const completeAt = seen.completeAt ?? (done ? now : undefined);
    return { ...seen, calls: seen.calls + 1, lastReadAt: now, tracks, snapshots: read, completeAt };
}
/** A throttled request still counts against the budget. */
function afterThrottle(seen) {
    return { ...seen, calls: seen.calls + 1 };
}
/**
 * Looks the budget allows by `at`: the steady budget, and each quick look lent on top of it as it falls due (the first
 * takes the place of the steady budget's look at once), as far as the rate targets allow (`ceiling`).
 */
function allowance(at, t = CADENCE) {
    const steady = steadyAllowance(at, t);
    const lent = Math.max(0, t.quickLooksMs.filter(due => due <= at).length - 1);
    return Math.max(steady, Math.min(steady + lent, loanLimit(at, t)));
}
/** The first moment the budget allows `looks` looks in all. */
function allowedFrom(looks, t = CADENCE) {
    const steady = steadyFrom(looks, t);
    if (looks <= 1)
        return steady;
    // The loan only brings a look sooner, by at most as many looks as were lent: search for it between the two.
    let [lo, hi] = [steadyFrom(Math.max(1, looks - t.quickLooksMs.length), t), steady];
    if (allowance(lo, t) >= looks)
        return lo;
    while (hi - lo > 1) {
        const mid = (lo + hi) / 2;
        if (allowance(mid, t) >= looks)
            hi = mid;
        else
            lo = mid;
    }
    // The budget steps up at each quick look: the moment is then that look's own.
    const step = t.quickLooksMs.find(due => due > lo && due <= hi);
    return step !== undefined && allowance(step, t) >= looks ? step : hi;
}
/**
 * How far the loan may take the budget by `at`: under each rate target in force, less the spare; and before a target
 * begins, no further above what it will allow than the floor's pace pays back by then.
 */
function loanLimit(at, t) {
    const { targets, spare } = t.ceiling;
    return Math.min(...targets.map(({ fromMs, perS }) => {
        if (at >= fromMs)
            return (perS * at) / 1000 - spare;
        const allowedThen = Math.max(steadyAllowance(fromMs, t), (perS * fromMs) / 1000 - spare);
        return allowedThen - (fromMs - at) / t.imageGapMs;
    }));
}
/** The steady budget: the first look at once, then `min(earlyPerS·t, max(first + perS·t, longPerS·t))`. */
function steadyAllowance(at, t) {
    const s = Math.max(0, at) / 1000;
    const { earlyPerS, first, perS, longPerS } = t.budget;
    return Math.max(1, Math.min(earlyPerS * s, Math.max(first + perS * s, longPerS * s)));
}
function steadyFrom(looks, t) {
    const { earlyPerS, first, perS, longPerS } = t.budget;
    if (looks <= 1)
        return 0;
    return 1000 * Math.max(looks / earlyPerS, Math.min((looks - first) / perS, looks / longPerS));
}
/**
 * When the slowest unfinished snapshot reaches 100 %, no sooner than `lo` and no later than `hi`; undefined while one
 * has no pace yet (unread, at 0 %, one level seen) or all are complete. The pace runs from its first level above 0 to
 * its latest, and the readings are taken one of two ways:
 * - live, while no level has stood still for more than two steps of that pace (a smooth rise): a reading is the
 *   progress at its read, to within a step, so the window is about a step wide however far the finish is;
 * - in jumps, once one has (it stands still, then jumps): a level was reached between the read that first showed it
 *   and the one before, the middle give or take half, and the rest may go `paceSlack` faster or slower.
 */
function estimateFinish(seen, t = CADENCE) {
    let lo = -Infinity;
    let hi = -Infinity;
    for (const id of seen.image?.snapshotIds ?? []) {
        const track = seen.tracks[id];
        if (track?.level === 100)
            continue;
        const first = track?.first;
        if (!first || track.level <= first.level)
            return undefined;
        const pace = (track.at - first.at) / (track.level - first.level);
        const k = (100 - track.level) / (track.level - first.level);
        if (track.until - track.at <= 2 * pace) {
            // Each level was reached within a step before its read: the earliest finish has both as late as that allows.
            lo = Math.max(lo, track.at - pace + k * (track.at - pace - first.at));
            hi = Math.max(hi, track.at + k * (track.at - first.at + pace));
            continue;
        }
        const reached = (track.at + track.after) / 2;
        const firstReached = Number.isFinite(first.after) ? (first.at + first.after) / 2 : first.at;
        const left = (reached - firstReached) * k;
        const doubt = (track.at - track.after) / 2 + left * (t.paceSlack - 1);
        // A reading is at most the steady pace's level at its read, and the snapshot started after the wait did (the
        // wait starts as CreateImage returns): that pace reaches 100 % by `100 * read / level` at the latest. Costs no
        // read; where readings run ahead of a steady pace (an S-curve, a stall at 99 %) the window only ends sooner,
        // and the floor takes over.
        const latest = Math.min(reached + left + doubt, (100 * track.at) / track.level, (100 * first.at) / first.level);
        lo = Math.max(lo, Math.min(latest, reached + left - doubt));
        hi = Math.max(hi, latest);
    }
    return Number.isFinite(hi) ? { lo, hi } : undefined;
}
function phaseOf(seen, now, t = CADENCE) {
    const ids = seen.image?.snapshotIds ?? [];
    if (seen.misses > 0 && seen.image)
        return { phase: 'confirm' };
    if (ids.length === 0)
        return { phase: 'discover' };
    if (seen.snapshots.some(s => s.state === 'error') && seen.lastImageAt < seen.lastReadAt)
        return { phase: 'confirm' };
    if (ids.some(id => !seen.tracks[id]))
        return { phase: 'unread' };
    if (seen.completeAt !== undefined)
        return { phase: 'flip' };
    const finish = estimateFinish(seen, t);
    if (!finish || now > finish.hi)
        return { phase: 'idle', finish };
    if (finish.lo - now > t.farAheadMs)
        return { phase: 'far', finish };
    return { phase: now < finish.lo ? 'approach' : 'near', finish };
}
/** The next look at one image: a DescribeImages, or a DescribeSnapshots of its snapshots. */
function nextLook(seen, now, t = CADENCE) {
    // The quick looks come first, at the image itself: it is what tells that a fast image is done. Only a shown image
    // gone missing is confirmed sooner.
    const quick = t.quickLooksMs[seen.imageLooks];
    if (quick !== undefined && !(seen.misses > 0 && seen.image)) {
        return { at: Math.max(now, quick, allowedFrom(seen.calls + 1, t)), kind: 'image', phase: 'quick' };
    }
    const { phase, finish } = phaseOf(seen, now, t);
    const credit = allowance(now, t) - seen.calls;
    // A poller's gap spending the budget so far, less the reads' share: early on, the budget allows more than `perS`.
    const floor = t.imageGapMs;
    // The gap that spends the credit above `keep` evenly until `until`, within [denseGapMs, cap], counting the credit
    // that accrues until then (less what the floor takes from it, for looks made beside the floor).
    const spread = (until, keep, cap, besideFloor) => {
        const accrues = allowance(until, t) - allowance(now, t) - (besideFloor ? (until - now) / floor : 0);
        return Math.min(cap, Math.max(t.denseGapMs, (until - now) / Math.max(1e-3, credit + Math.max(0, accrues) - keep)));
    };
    let imageAt;
    let readAt;
    let reserve = 1;
    switch (phase) {
        case 'discover':
            imageAt = seen.lastImageAt + Math.min(floor, t.discoverGapMs * t.discoverGrowth ** Math.max(0, seen.imageLooks - 1));
            break;
        case 'confirm':
            imageAt = seen.misses > 0 ? seen.lastImageAt + t.missGapMs : now;
            break;
        case 'unread': {
            imageAt = seen.lastImageAt + floor;
            // A snapshot never read is read at once. One a read did not show (EC2 lists it in the image before
            // DescribeSnapshots sees it) is read again beside the floor, never instead of it.
            const again = Number.isFinite(seen.lastReadAt);
            readAt = again ? seen.lastReadAt + t.paceReadGapMs : now;
            reserve = again ? 1 : 0;
            break;
        }
        case 'flip': {
            const end = seen.completeAt + t.flipSpanMs;
            imageAt = seen.lastImageAt + (now < end ? spread(end, 0, floor, false) : floor);
            break;
        }
        case 'far': {
            const ahead = finish.lo - now;
            imageAt = seen.lastImageAt + t.farImageGapMs;
            readAt = seen.lastReadAt + Math.min(t.farReadGapMs.max, Math.max(t.farReadGapMs.min, ahead / 3));
            break;
        }
        case 'approach':
            // Nothing can finish before the earliest finish: the floor stays thin until then. Each read halves the way
            // there, refining the estimate as it closes in.
            imageAt = seen.lastImageAt + Math.min(t.farImageGapMs, Math.max(floor, finish.lo - seen.lastImageAt));
            if (finish.hi - finish.lo > 2 * t.approachReadGapMs)
                readAt = seen.lastReadAt + Math.max(t.approachReadGapMs, (finish.lo - seen.lastReadAt) / 2);
            break;
        case 'near':
            imageAt = seen.lastImageAt + floor;
            readAt = seen.lastReadAt + spread(finish.hi, Math.min(t.flipReserve, credit / 2), t.idleReadGapMs, true);
            break;
        case 'idle': {
            // A level above 0 but no pace yet: one more read tells whether the finish is far, and lets the floor thin.
            // Otherwise reads grow rarer the longer nothing moves (at 0 %, stuck at 99 %, readings that fit no pace).
            const moving = !finish && Object.values(seen.tracks).some(track => track.level > 0 && track.level < 100);
            imageAt = seen.lastImageAt + floor;
            const still = now - Math.max(...Object.values(seen.tracks).map(track => track.at));
            readAt = seen.lastReadAt + (moving ? t.paceReadGapMs : Math.min(t.idleReadGapMs, Math.max(t.paceReadGapMs, still / 3)));
            // At 0 % or one level in, only a read can tell whether the finish is far: it may take the floor's credit, or
            // the floor, which spends nearly all of `perS`, would starve it.
            if (moving || Object.values(seen.tracks).every(track => track.level === 0 || track.level === 100))
                reserve = 0;
            break;
        }
    }
    // The look after the quick ones is the image's too, as soon as the credit allows: a bake done in seconds is then
    // seen at once rather than after a read, and a floor's gap later.
    if (seen.imageLooks === t.quickLooksMs.length && phase !== 'confirm') {
        imageAt = Math.min(imageAt, seen.lastImageAt);
        reserve = Math.max(reserve, 1);
    }
    // The budget: an image look needs one look's credit. A read goes first only if the image look still has its
    // credit when it is due: the floor is never held back by a read (reads that decide the phase may use that credit).
    const image = Math.max(now, imageAt, allowedFrom(seen.calls + 1, t));
    const read = readAt === undefined ? Infinity : Math.max(now, readAt, allowedFrom(seen.calls + 1 + reserve, t));
    return read <= image ? { at: read, kind: 'snapshots', phase } : { at: image, kind: 'image', phase };
}

;// CONCATENATED MODULE: ./src/wait/progress-log.ts
/**
 * The lines a person reads while an image is waited for: one when the wait starts, one on each change of what
 * EC2 shows (and at least one a minute otherwise), a notice when EC2 throttles, and the verdict.
 */


/** A quiet minute in a log looks like a hang; more often is noise. */
const HEARTBEAT_MS = 60_000;
class ProgressLog {
    label;
    write;
    lastLineAt = -Infinity;
    lastKey = '';
    constructor(label, write) {
        this.label = label;
        this.write = write;
    }
    started(timeoutMs) {
        this.write(`Waiting for ${this.label} to become available (timeout ${(0,duration/* formatDuration */.a)(timeoutMs)})`);
        this.lastLineAt = 0;
    }
    /** After a look: a line when what EC2 shows changed, or when the last line is a minute old. */
    looked(seen, now) {
        const key = [seen.image?.state, seen.misses > 0, seen.completeAt !== undefined, seen.snapshots.some(s => s.state === 'error')].join('/');
        if (key === this.lastKey && now - this.lastLineAt < HEARTBEAT_MS)
            return;
        this.lastKey = key;
        this.lastLineAt = now;
        const left = timeLeft(seen, now);
        this.write(`Waiting for ${this.label}: ${progress_log_status(seen)}, ${(0,duration/* formatDuration */.a)(now)} elapsed${left ? `, ${left}` : ''}`);
    }
    throttled(operation, region, backoffMs, now, first) {
        if (!first && now - this.lastLineAt < HEARTBEAT_MS / 2)
            return;
        this.lastLineAt = now;
        this.write(`Waiting for ${this.label}: EC2 throttled ${operation} in ${region}, looking again in ${(0,duration/* formatDuration */.a)(backoffMs)}`);
    }
    finished(verdict, seen, now, calls) {
        const took = (0,duration/* formatDuration */.a)(now);
        const reason = seen.image?.stateReason?.message ?? seen.image?.stateReason?.code;
        const lines = {
            available: `${this.label} is available after ${took} (${calls})`,
            failed: `${this.label} is ${seen.image?.state ?? 'failed'} after ${took}${reason ? `: ${reason}` : ''} (${calls})`,
            gone: `${this.label} is gone after ${took}: EC2 no longer shows it (${calls})`,
            timeout: `${this.label} is still ${seen.image?.state ?? 'not shown by EC2'} after ${took}, giving up (${calls})`,
            aborted: `Stopped waiting for ${this.label} after ${took} (${calls})`
        };
        this.write(lines[verdict]);
    }
}
function progress_log_status(seen) {
    if (!seen.image)
        return 'not shown by EC2 yet';
    if (seen.misses > 0)
        return `not shown by EC2 any more (${seen.misses} looks)`;
    if (seen.completeAt !== undefined)
        return `${seen.image.state}, all snapshots complete`;
    const percent = (s) => `${s.state === 'completed' ? 100 : Math.floor(s.progress)}%${s.state === 'error' ? ' (error)' : ''}`;
    const snapshots = seen.snapshots.map(s => `${s.snapshotId} ${percent(s)}`);
    return snapshots.length > 0 ? `${seen.image.state}, ${snapshots.join(' ')}` : seen.image.state;
}
function timeLeft(seen, now) {
    if (seen.completeAt !== undefined)
        return 'any moment now';
    const finish = estimateFinish(seen);
    if (!finish || finish.hi < now)
        return '';
    return `about ${(0,duration/* formatDuration */.a)(Math.max(0, (finish.lo + finish.hi) / 2 - now))} left`;
}

;// CONCATENATED MODULE: ./src/wait/loop.ts



/** Never two requests to one region less than this apart. */
const REGION_SPACING_MS = 1_000;
/**
 * While a region throttles: wait this long after the first throttled request, doubling each time, up to the cap
 * (each of our requests is already several of the SDK's attempts, spread over up to a minute by its own backoff).
 */
const THROTTLE_BACKOFF_MS = { first: 2_000, cap: 15_000 };
const FAILED_STATES = new Set(['failed', 'error', 'invalid', 'disabled']);
/** Pure: what was seen of one image, as a verdict, or undefined to keep looking. */
function checkImage(seen, now, tuning = CADENCE) {
    if (seen.misses >= tuning.goneMisses && (seen.image !== undefined || now >= tuning.unseenGraceMs))
        return 'gone';
    if (seen.misses > 0)
        return undefined;
    if (seen.image?.state === 'available')
        return 'available';
    if (seen.image?.state === 'deregistered')
        return 'gone';
    if (FAILED_STATES.has(seen.image?.state ?? ''))
        return 'failed';
    return undefined;
}
function validateWaitOptions(images, options) {
    if (!Array.isArray(images) || images.some(image => typeof image?.region !== 'string' || typeof image?.imageId !== 'string')) {
        throw new Error('waitForImages: images must be a list of { region, imageId }');
    }
    if (new Set(images.map(image => `${image.region}/${image.imageId}`)).size !== images.length) {
        throw new Error('waitForImages: an image is listed twice');
    }
    const { timeoutMs } = options;
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        throw new Error(`waitForImages: timeoutMs must be a finite number of milliseconds greater than 0, got ${String(timeoutMs)}`);
    }
    for (const name of ['sourceFor', 'log', 'random']) {
        if (options[name] !== undefined && typeof options[name] !== 'function') {
            throw new Error(`waitForImages: ${name} must be a function, got ${typeof options[name]}`);
        }
    }
}
async function waitForImages(images, options) {
    validateWaitOptions(images, options);
    const { clock, signal, timeoutMs: deadline, tuning = CADENCE } = options;
    const random = options.random ?? Math.random;
    const start = clock.now();
    const elapsed = () => clock.now() - start;
    const several = new Set(images.map(image => image.region)).size > 1;
    const regions = new Map();
    const waits = images.map(ref => {
        if (!regions.has(ref.region)) {
            regions.set(ref.region, { source: options.sourceFor(ref.region), lastCallAt: -Infinity, pausedUntil: -Infinity, throttled: 0 });
        }
        const label = several ? `${ref.imageId} (${ref.region})` : ref.imageId;
        const log = new ProgressLog(label, line => options.log?.(line));
        return { ref, log, seen: NOTHING_SEEN, calls: { describeImages: 0, describeSnapshots: 0 } };
    });
    const finish = (wait, verdict) => {
        const { seen, calls } = wait;
        wait.result = { ...wait.ref, verdict, image: seen.image, snapshots: seen.snapshots, elapsedMs: elapsed(), calls: { ...calls } };
        wait.log.finished(verdict, seen, elapsed(), `${calls.describeImages} DescribeImages, ${calls.describeSnapshots} DescribeSnapshots`);
    };
    if (!signal?.aborted)
        for (const wait of waits)
            wait.log.started(deadline);
    for (;;) {
        const pending = waits.filter(wait => !wait.result);
        if (pending.length === 0)
            break;
        if (signal?.aborted) {
            pending.forEach(wait => finish(wait, 'aborted'));
            break;
        }
        // The look due first, among every image: its own cadence, then its region's pace.
        const now = elapsed();
        let next;
        for (const wait of pending) {
            const region = regions.get(wait.ref.region);
            const look = nextLook(wait.seen, now, tuning);
            let at = Math.max(look.at, region.lastCallAt + REGION_SPACING_MS, region.pausedUntil);
            const last = at >= deadline;
            // Whatever the cadence or a backoff say, one last look at the image at the deadline, not before it.
            if (last)
                at = Math.max(deadline, region.lastCallAt + REGION_SPACING_MS);
            if (!next || at < next.at)
                next = { wait, at: Math.ceil(at), kind: last ? 'image' : look.kind, last };
        }
        const { wait, at, kind, last } = next;
        if (at > now)
            await clock.sleep(at - now, signal);
        if (signal?.aborted)
            continue;
        const region = regions.get(wait.ref.region);
        const lookedAt = elapsed();
        region.lastCallAt = lookedAt;
        try {
            if (kind === 'image') {
                wait.calls.describeImages++;
                wait.seen = afterImageLook(wait.seen, lookedAt, await region.source.describeImage(wait.ref.imageId));
            }
            else {
                wait.calls.describeSnapshots++;
                wait.seen = afterSnapshotRead(wait.seen, lookedAt, await region.source.describeSnapshots(wait.seen.image?.snapshotIds ?? []));
            }
            region.throttled = 0;
        }
        catch (error) {
            if (!(0,errors/* isThrottling */.E2)(error))
                throw error;
            wait.seen = afterThrottle(wait.seen);
            region.throttled++;
            const ceiling = Math.min(THROTTLE_BACKOFF_MS.cap, THROTTLE_BACKOFF_MS.first * 2 ** (region.throttled - 1));
            const backoff = ceiling / 2 + (random() * ceiling) / 2;
            region.pausedUntil = elapsed() + backoff;
            const operation = kind === 'image' ? 'DescribeImages' : 'DescribeSnapshots';
            wait.log.throttled(operation, wait.ref.region, backoff, elapsed(), region.throttled === 1);
        }
        if (signal?.aborted)
            continue;
        const verdict = checkImage(wait.seen, elapsed(), tuning);
        if (verdict)
            finish(wait, verdict);
        else if (last && elapsed() >= deadline)
            finish(wait, 'timeout');
        else
            wait.log.looked(wait.seen, elapsed());
    }
    return waits.map(wait => wait.result);
}

;// CONCATENATED MODULE: ./src/wait/index.ts
/**
 * Waiting for images to become available: the only door into `wait/`. The loop (`loop.ts`) looks at each image
 * when its cadence (`cadence.ts`, pure) says, and logs progress (`progress-log.ts`).
 */


;// CONCATENATED MODULE: ./src/available.ts
/**
 * Waits until a list of images (the source, or its copies) is available, through the one waiter, and turns any
 * other verdict into the sentence that fails the step, naming each image that did not make it by region.
 */




/** Each image, once all are available; throws a WaitError naming every image that is not. */
async function waitUntilAvailable(aws, images, state, { clock, signal, timeoutMs }) {
    const ids = images.map(image => image.imageId).join(', ');
    if (signal.aborted)
        throw new errors/* WaitError */.uf('aborted', `The job was cancelled before waiting for ${ids}.`);
    const results = await waitForImages(images, {
        clock,
        timeoutMs,
        signal,
        log: line => core/* info */.pq(line),
        sourceFor: region => {
            const ec2 = aws.ec2(region);
            return {
                describeImage: async (imageId) => {
                    const image = await ec2.describeImage(imageId);
                    // Snapshot ids go to state as soon as they are known, so that post can remove them (if they are ours).
                    if (image && state.holds(imageId))
                        state.observe(imageId, image);
                    return image;
                },
                describeSnapshots: snapshotIds => ec2.describeSnapshots(snapshotIds)
            };
        }
    });
    const failures = results.filter(result => result.verdict !== 'available');
    if (failures.length === 0)
        return results.map(result => ({ ...placed(result), image: result.image, waitedMs: result.elapsedMs }));
    // One verdict decides the kind of failure: a cancel, then a timeout, then what EC2 did.
    const outcome = ['aborted', 'timeout', 'gone', 'failed'].find(kind => failures.some(result => result.verdict === kind));
    throw new errors/* WaitError */.uf(outcome, failures.map(result => explainVerdict(result, timeoutMs)).join(' '));
}
function placed(result) {
    return { region: result.region, imageId: result.imageId };
}
/** One sentence on why an image is not available. */
function explainVerdict(result, timeoutMs) {
    const { imageId, region } = result;
    const waited = (0,duration/* formatDuration */.a)(result.elapsedMs);
    switch (result.verdict) {
        case 'failed':
            return `Image ${imageId} in ${region} ended '${result.image?.state}' after ${waited}: ${stateReason(result.image)}`;
        case 'gone':
            return (`Image ${imageId} in ${region} was deregistered outside this step ${waited} into the wait: EC2 no longer shows it. ` +
                `Find who deregistered it in CloudTrail (DeregisterImage), stop that, and re-run the job.`);
        case 'timeout':
            return (`Image ${imageId} in ${region} was still '${result.image?.state ?? 'pending'}' when 'wait-timeout' (${(0,duration/* formatDuration */.a)(timeoutMs)}) ran out. ` +
                `Raise 'wait-timeout' for large volumes, or set 'wait: false' and wait in a later job.`);
        case 'aborted':
            return `The job was cancelled while waiting for ${imageId} in ${region} (${waited} in).`;
        case 'available':
            return `Image ${imageId} in ${region} is available.`;
    }
}
/** EC2's StateReason as `code: message`; EC2 often starts the message with the code already. */
function stateReason(image) {
    const { code, message } = image?.stateReason ?? {};
    if (!code && !message)
        return 'EC2 gave no reason';
    if (!code || message?.startsWith(code))
        return message;
    return message ? `${code}: ${message}` : code;
}

;// CONCATENATED MODULE: ./src/ownership.ts
/** Whether EC2 wrote `description` on a snapshot it made for `imageId` (CreateImage or CopyImage). */
function madeFor(description, imageId) {
    const id = ownership_escape(imageId);
    return new RegExp(`^Created by CreateImage\\(i-[0-9a-f]+\\) for ${id}( |$)`).test(description) || new RegExp(`^Copied for DestinationAmi ${id}( |$)`).test(description);
}
/**
 * Of `candidates` (the image's mappings as seen, and what a search by description found), the snapshots EC2 made
 * for `imageId`, read afresh; never one of `theUsers`. Throws when the snapshots cannot be read: nothing unread is
 * deleted.
 */
async function snapshotsMadeFor(ec2, imageId, candidates, theUsers = new Set()) {
    const ids = [...new Set(candidates)].filter(id => !theUsers.has(id));
    if (ids.length === 0)
        return [];
    const snapshots = await ec2.describeOwnSnapshots(ids);
    return snapshots.filter(snapshot => madeFor(snapshot.description, imageId)).map(snapshot => snapshot.snapshotId);
}
function ownership_escape(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

;// CONCATENATED MODULE: ./src/restore-hand-off.ts

/**
 * Puts back what the hand-off changed: the parameter's old value (or deletes a parameter the run made), the template's
 * old default version, and deletes the versions the run made. Returns one sentence per thing it could not put back.
 */
async function restoreHandOffs(aws, state, log) {
    const problems = [];
    for (const record of state.handOffs()) {
        try {
            if (record.kind === 'ssm-parameter') {
                const store = await aws.ssm(record.region);
                // Only what the run wrote is undone: a parameter that does not hold the run's image (the write was refused,
                // or someone wrote it since) is left as it is.
                const now = await store.getParameter(record.name);
                if (now?.value !== record.wrote) {
                    log(`Parameter ${record.name} in ${record.region} does not hold ${record.wrote}: left as it is`);
                }
                else if (record.previous) {
                    await store.putParameter(record.name, record.previous.value, record.previous);
                    log(`Parameter ${record.name} in ${record.region} holds ${record.previous.value} again`);
                }
                else {
                    await store.deleteParameter(record.name);
                    log(`Deleted parameter ${record.name} in ${record.region}, which this run made`);
                }
            }
            else {
                const ec2 = aws.ec2(record.region);
                if (record.defaultChanged)
                    await ec2.setDefaultLaunchTemplateVersion(record.templateId, record.previousDefault);
                if (record.versions.length > 0)
                    await ec2.deleteLaunchTemplateVersions(record.templateId, record.versions);
                log(`Launch template ${record.templateId} in ${record.region} is as it was (default version ${record.previousDefault})`);
            }
            state.recordHandOff({ ...record, restored: true });
        }
        catch (error) {
            problems.push(`Could not put back ${describeRecord(record)}: ${(0,errors/* describeClause */.Lp)(error)}. ${howToRestore(record)}`);
        }
    }
    return problems;
}
function describeRecord(record) {
    return record.kind === 'ssm-parameter' ? `parameter ${record.name} in ${record.region}` : `launch template ${record.templateId} in ${record.region}`;
}
function howToRestore(record) {
    if (record.kind === 'ssm-parameter') {
        return record.previous
            ? `Put it back by hand: aws ssm put-parameter --region ${record.region} --name '${record.name}' --value ${record.previous.value} --type ${record.previous.type} --data-type ${record.previous.dataType} --overwrite`
            : `Delete it by hand: aws ssm delete-parameter --region ${record.region} --name '${record.name}'`;
    }
    const steps = [
        ...(record.defaultChanged ? [`aws ec2 modify-launch-template --region ${record.region} --launch-template-id ${record.templateId} --default-version ${record.previousDefault}`] : []),
        ...(record.versions.length
            ? [`aws ec2 delete-launch-template-versions --region ${record.region} --launch-template-id ${record.templateId} --versions ${record.versions.join(' ')}`]
            : [])
    ];
    return `Put it back by hand: ${steps.join(' && ')}`;
}

;// CONCATENATED MODULE: ./src/state.ts
const Keys = {
    Credentials: 'credentials',
    CleanupOnFailure: 'cleanup-on-failure',
    Ledger: 'ledger',
    Grants: 'grants',
    HandOffs: 'hand-offs',
    UsersSnapshots: 'users-snapshots',
    Finished: 'finished'
};
/**
 * Written by main as the bake goes (each write replaces the previous value of its key), and read back
 * by post with `restore`.
 */
class BakeState {
    store;
    ledger = [];
    granted = [];
    handed = [];
    users = [];
    credentialSettings;
    cleanup = true;
    done = false;
    constructor(store) {
        this.store = store;
    }
    /** Post's view: everything main saved. */
    static restore(store) {
        const state = new BakeState(store);
        const credentials = store.get(Keys.Credentials);
        const ledger = store.get(Keys.Ledger);
        const grants = store.get(Keys.Grants);
        const users = store.get(Keys.UsersSnapshots);
        state.granted = grants ? JSON.parse(grants) : [];
        const handOffs = store.get(Keys.HandOffs);
        state.handed = handOffs ? JSON.parse(handOffs) : [];
        state.users = users ? JSON.parse(users) : [];
        state.credentialSettings = credentials ? JSON.parse(credentials) : undefined;
        state.cleanup = store.get(Keys.CleanupOnFailure) !== 'false';
        state.ledger = ledger ? JSON.parse(ledger) : [];
        state.done = store.get(Keys.Finished) === 'true';
        return state;
    }
    /** Called before the first AWS call, so post can reach AWS the way main did. */
    begin(credentials, cleanupOnFailure) {
        this.credentialSettings = credentials;
        this.cleanup = cleanupOnFailure;
        this.store.save(Keys.Credentials, JSON.stringify(credentials));
        this.store.save(Keys.CleanupOnFailure, String(cleanupOnFailure));
    }
    /** Snapshots the inputs name (`snapshot-id`, `block-device-mappings`): never the run's, whatever an image maps. */
    recordUsersSnapshots(snapshotIds) {
        this.users = [...snapshotIds];
        this.store.save(Keys.UsersSnapshots, JSON.stringify(this.users));
    }
    get usersSnapshots() {
        return new Set(this.users);
    }
    /** Called before the call that grants it: a grant that may have happened is taken back on failure. */
    recordGrant(grant) {
        this.granted = [...this.granted, grant];
        this.store.save(Keys.Grants, JSON.stringify(this.granted));
    }
    /** Marks a grant taken back, so that post does not try again. */
    revoked(grant) {
        this.granted = this.granted.map(held => (held === grant ? { ...held, revoked: true } : held));
        this.store.save(Keys.Grants, JSON.stringify(this.granted));
    }
    /** What the run granted and has not taken back. */
    grants() {
        return this.granted.filter(grant => !grant.revoked);
    }
    /** Records, or updates, what the hand-off is about to change (one record per kind and region). */
    recordHandOff(record) {
        this.handed = [...this.handed.filter(held => held.kind !== record.kind || held.region !== record.region), record];
        this.store.save(Keys.HandOffs, JSON.stringify(this.handed));
    }
    /** What the hand-off changed and undo has not put back yet. */
    handOffs() {
        return this.handed.filter(record => !record.restored);
    }
    /** How main reached AWS; undefined when main stopped before any AWS call. */
    get credentials() {
        return this.credentialSettings;
    }
    get cleanupOnFailure() {
        return this.cleanup;
    }
    /** Records what an image is known to consist of; called the moment it exists and as snapshots appear. */
    record(entry) {
        const held = this.ledger.find(known => known.imageId === entry.imageId);
        if (held && JSON.stringify(held) === JSON.stringify(entry))
            return; // nothing new: no state write per poll
        const others = this.ledger.filter(held => held.imageId !== entry.imageId);
        this.ledger = [...others, entry];
        this.store.save(Keys.Ledger, JSON.stringify(this.ledger));
    }
    /**
     * What DescribeImages showed of an image already recorded: its state, and its snapshots if it owns them.
     * A registered image's mappings name the user's snapshots, which never enter the ledger.
     */
    observe(imageId, observation) {
        const held = this.ledger.find(known => known.imageId === imageId);
        if (!held)
            throw new Error(`observe: ${imageId} was never recorded`);
        const theUsers = this.usersSnapshots;
        const snapshotIds = ownsSnapshots(held) ? observation.snapshotIds.filter(id => !theUsers.has(id)) : [];
        this.record({ ...held, state: observation.state, snapshotIds });
    }
    /** Whether this run made the image (an image reused with `if-exists: reuse` is not the run's). */
    holds(imageId) {
        return this.ledger.some(known => known.imageId === imageId);
    }
    /** Every image this run made. Cleanup removes these and nothing else. */
    entries() {
        return this.ledger;
    }
    /** The bake ended as intended, or its undo is complete: post has nothing to do. */
    markFinished() {
        this.done = true;
        this.store.save(Keys.Finished, 'true');
    }
    get finished() {
        return this.done;
    }
}
/** Whether the image's snapshots are the run's to delete: only CreateImage made any. */
function ownsSnapshots(entry) {
    return entry.madeBy !== 'RegisterImage';
}

;// CONCATENATED MODULE: ./src/cleanup.ts
/**
 * Removes an image this run made, and the snapshots EC2 made for it (`ownership.ts`), and nothing else; takes back
 * the permissions the run granted. Idempotent: what is already gone counts as removed, so main and post can both
 * try. A registered image is only deregistered: its snapshots were the user's before the run and stay theirs.
 */





const LOOK_INTERVAL_MS = 2000;
const IN_USE_RETRIES = 5;
async function removeImage(ec2, image, clock, options) {
    const removed = [];
    const left = [];
    const { imageId } = image;
    try {
        // Never DeleteAssociatedSnapshots: it would delete a snapshot of the user's that the image maps.
        const deregistered = await ec2.deregisterImage(imageId);
        removed.push(imageId);
        options.log(deregistered ? `Deregistered ${imageId} in ${ec2.region}` : `${imageId} was already deregistered`);
    }
    catch (error) {
        // Without deregistering, its snapshots cannot be deleted either.
        left.push({ id: imageId, reason: (0,errors/* describeError */.Uc)(error) });
        return { removed, left, snapshotsUnseen: false };
    }
    // No search by CreateImage's description either: RegisterImage made no snapshot to find.
    if (!image.ownsSnapshots)
        return { removed, left, snapshotsUnseen: false };
    const candidates = new Set(image.snapshotIds);
    const makesNoMore = image.state === 'failed';
    const deadline = clock.now() + (makesNoMore ? 0 : options.lookForSnapshotsMs);
    for (;;) {
        try {
            for (const id of await ec2.findSnapshotsOf(imageId))
                candidates.add(id);
        }
        catch (error) {
            options.log(`Could not look for snapshots of ${imageId}: ${(0,errors/* describeError */.Uc)(error)}`);
        }
        // A pending image may be deregistered before EC2 has made its snapshots: keep looking until some exist.
        if (candidates.size > 0 || clock.now() >= deadline)
            break;
        await clock.sleep(LOOK_INTERVAL_MS);
    }
    let owned;
    try {
        owned = await snapshotsMadeFor(ec2, imageId, candidates, options.theUsers);
    }
    catch (error) {
        // What cannot be read is not deleted: it may be the user's.
        const reason = `could not read its description to check that EC2 made it for ${imageId}: ${(0,errors/* describeError */.Uc)(error)}`;
        left.push(...[...candidates].map(id => ({ id, reason })));
        return { removed, left, snapshotsUnseen: false };
    }
    for (const id of owned) {
        const outcome = await deleteSnapshot(ec2, id, clock);
        if (outcome === true) {
            removed.push(id);
            options.log(`Deleted snapshot ${id}`);
        }
        else {
            left.push({ id, reason: outcome });
        }
    }
    return { removed, left, snapshotsUnseen: candidates.size === 0 && !makesNoMore };
}
/** true, or why the snapshot could not be deleted. */
async function deleteSnapshot(ec2, id, clock) {
    for (let attempt = 1;; attempt++) {
        try {
            await ec2.deleteSnapshot(id);
            return true;
        }
        catch (error) {
            // Right after DeregisterImage, EC2 may still see the snapshot as in use for a moment.
            const inUse = error instanceof errors/* AwsError */.Gy && error.code === 'InvalidSnapshot.InUse';
            if (!inUse || attempt >= IN_USE_RETRIES)
                return (0,errors/* describeError */.Uc)(error);
            await clock.sleep(LOOK_INTERVAL_MS * attempt);
        }
    }
}
/** One line per id left behind, with the command that removes it by hand. */
function manualCleanup(region, left) {
    return left
        .map(({ id, reason }) => id.startsWith('ami-')
        ? `${id} (${reason}): aws ec2 deregister-image --region ${region} --image-id ${id}`
        : `${id} (${reason}): aws ec2 delete-snapshot --region ${region} --snapshot-id ${id}`)
        .join('\n');
}
/**
 * Removes every image in the ledger that is not removed yet, or, with cleanup-on-failure off, says what
 * is left and how to remove it. Marks the state finished once nothing is left for post to do.
 */
async function undo(aws, state, clock, lookForSnapshotsMs) {
    // First what outlives the run (a user's snapshot, a reused image): it must not stay shared. Even with
    // cleanup-on-failure off: an image kept for inspection is not kept for other accounts.
    for (const grant of state.grants())
        await revoke(aws, state, grant);
    // Then what points at the images (a parameter, a launch template), before the images go: nothing may launch a
    // removed image.
    if (state.cleanupOnFailure)
        for (const problem of await restoreHandOffs(aws, state, line => core/* info */.pq(line)))
            core/* warning */.$e(problem);
    for (const entry of state.entries().filter(held => !held.removed)) {
        if (!state.cleanupOnFailure) {
            const kept = [entry.imageId, ...(ownsSnapshots(entry) ? entry.snapshotIds : [])].map(id => ({ id, reason: 'kept' }));
            core/* warning */.$e(`Left image ${entry.imageId} in ${entry.region} for inspection ('cleanup-on-failure: false'). ` +
                `Remove it when done:\n${manualCleanup(entry.region, kept)}`);
            continue;
        }
        core/* info */.pq(`Cleaning up ${entry.imageId} in ${entry.region}`);
        const removal = { ...entry, ownsSnapshots: ownsSnapshots(entry) };
        const { removed, left, snapshotsUnseen } = await removeImage(aws.ec2(entry.region), removal, clock, {
            lookForSnapshotsMs,
            log: line => core/* info */.pq(line),
            theUsers: state.usersSnapshots
        });
        if (snapshotsUnseen) {
            // Not marked removed, so that post looks again.
            core/* warning */.$e(`No snapshot of ${entry.imageId} appeared within ${Math.round(lookForSnapshotsMs / 1000)} s of deregistering it; EC2 may still make some. ` +
                `Find them with: aws ec2 describe-snapshots --region ${entry.region} --owner-ids self --filters 'Name=description,Values=*${entry.imageId}*'`);
        }
        else if (left.length === 0) {
            state.record({ ...entry, removed: true });
            core/* info */.pq(`Removed ${removed.join(', ')}`);
        }
        else {
            // Post tries again; this says what is still there in case it cannot either.
            core/* warning */.$e(`Could not remove everything this run made in ${entry.region}:\n${manualCleanup(entry.region, left)}`);
        }
    }
    const done = state.grants().length === 0 && (!state.cleanupOnFailure || (state.handOffs().length === 0 && state.entries().every(held => held.removed)));
    if (done)
        state.markFinished();
}
/** Takes back one grant: removes exactly the permissions the run added; a resource already gone has none left. */
async function revoke(aws, state, grant) {
    const ec2 = aws.ec2(grant.region);
    const { resourceId, added } = grant;
    try {
        if (grant.kind === 'launch')
            await ec2.unshareImage(resourceId, added);
        else
            await ec2.unshareSnapshot(resourceId, added.accounts);
        state.revoked(grant);
        core/* info */.pq(`Took back the ${grant.kind} permission this run gave on ${resourceId} in ${grant.region}`);
    }
    catch (error) {
        if (error instanceof errors/* AwsError */.Gy && /NotFound$/.test(error.code)) {
            state.revoked(grant);
            return;
        }
        const how = grant.kind === 'launch'
            ? `aws ec2 modify-image-attribute --region ${grant.region} --image-id ${resourceId} --launch-permission 'Remove=[${describeRemove(added)}]'`
            : `aws ec2 modify-snapshot-attribute --region ${grant.region} --snapshot-id ${resourceId} --attribute createVolumePermission --operation-type remove --user-ids ${added.accounts.join(' ')}`;
        core/* warning */.$e(`Could not take back the ${grant.kind} permission this run gave on ${resourceId} in ${grant.region}: ${(0,errors/* describeError */.Uc)(error)} Take it back by hand:\n${how}`);
    }
}
function describeRemove(added) {
    return [
        ...added.accounts.map(id => `{UserId=${id}}`),
        ...added.organizations.map(arn => `{OrganizationArn=${arn}}`),
        ...added.ous.map(arn => `{OrganizationalUnitArn=${arn}}`)
    ].join(',');
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/constants.ts
var constants = __webpack_require__(7242);
;// CONCATENATED MODULE: ./src/existing-image.ts
/**
 * `if-exists`: what to do when an image with the rendered name is already in the account and region, as on
 * a re-run of a release whose name has no `{{ run_attempt }}`. `fail` needs no look-up (CreateImage refuses
 * the name, and the refusal names the image); `reuse` carries on with that image; `replace` removes it and
 * the snapshots EC2 made for it, then makes a new one, but only if nothing holds it: an image still pending
 * (another run may be making it), protected from deregistration, or referred to by an instance, a launch
 * template, an SSM parameter or a recipe is refused, before anything is made or removed.
 */



/** States in which an image may still become (or is) available: one to reuse. */
const REUSABLE = ['pending', 'available'];
/** EC2 lists a name seconds after another run took it: the look-ups after a refusal, about 15 s in all. */
const LOOK_AGAIN_MS = [0, 1_000, 2_000, 4_000, 8_000];
/**
 * Before making the image: the image to reuse, or undefined to make one (after removing the one named so, for
 * `replace`). `afterRefusal`: CreateImage just said the name is taken though the first look-up found nothing
 * (another run took it in between), so look again, allowing for EC2's eventual consistency.
 */
async function settleExisting(ec2, name, policy, clock, log, afterRefusal = false) {
    if (policy === 'fail')
        return undefined;
    const existing = await findNamed(ec2, name, clock, afterRefusal ? LOOK_AGAIN_MS : [0]);
    if (!existing)
        return undefined;
    if (policy === 'reuse') {
        if (!REUSABLE.includes(existing.state)) {
            throw new errors/* AwsError */.Gy('DescribeImages', 'InvalidAMIName.Duplicate', `An AMI named '${name}' already exists in ${ec2.region} (${existing.imageId}), and it is '${existing.state}', so it cannot be reused. ` +
                `Set '${constants/* Inputs */.G0.IfExists}: replace' to deregister it and make a new one.`);
        }
        log(`Reusing ${existing.imageId} (${existing.state}), which already holds the name '${name}' in ${ec2.region} ('${constants/* Inputs */.G0.IfExists}: reuse')`);
        return existing;
    }
    await refuseIfHeld(ec2, existing, name);
    log(`Replacing ${existing.imageId}, which holds the name '${name}' in ${ec2.region} ('${constants/* Inputs */.G0.IfExists}: replace')`);
    // Only the snapshots EC2 made for it (`ownership.ts`): one it was registered from, or that it maps, is the user's.
    const removal = { imageId: existing.imageId, ownsSnapshots: true, snapshotIds: existing.snapshotIds, state: existing.state };
    const { left } = await removeImage(ec2, removal, clock, { lookForSnapshotsMs: 0, log });
    const stillThere = left.find(({ id }) => id === existing.imageId);
    if (stillThere) {
        throw new errors/* AwsError */.Gy('DeregisterImage', 'InvalidAMIName.Duplicate', `'${constants/* Inputs */.G0.IfExists}: replace' could not deregister ${existing.imageId}, which holds the name '${name}' in ${ec2.region}: ${stillThere.reason}`);
    }
    for (const { id, reason } of left)
        log(`Left snapshot ${id} of the replaced image: ${reason}`);
    return undefined;
}
/** `replace` removes only a free image: throws, naming what holds it, for one pending, protected or referred to. */
async function refuseIfHeld(ec2, existing, name) {
    const refuse = (why, what) => new errors/* AwsError */.Gy('DeregisterImage', 'InvalidAMIName.Duplicate', `'${constants/* Inputs */.G0.IfExists}: replace' will not remove ${existing.imageId}, which holds the name '${name}' in ${ec2.region}: ${why}. ` +
        `${what} Nothing was made or removed.`);
    if (existing.state === 'pending') {
        throw refuse('it is still pending (another run may be making it)', 'Wait for that run, or give this release another name.');
    }
    if (existing.deregistrationProtection !== 'disabled') {
        throw refuse(`it is protected from deregistration (${existing.deregistrationProtection})`, 'Disable the protection first if it really is to go, or give this release another name.');
    }
    const references = (await ec2.imageReferences([existing.imageId])).get(existing.imageId) ?? [];
    if (references.length > 0) {
        throw refuse(`${references.join(', ')} ${references.length === 1 ? 'refers' : 'refer'} to it`, 'Point them at another image first, or give this release another name.');
    }
}
/**
 * Makes an image with `make` under `if-exists`: first settles an image that already holds the name; then, if `make`
 * is refused the name (another run took it after the look-up), settles that one and, for `replace`, makes once more,
 * a second refusal being final.
 */
async function makeUnlessExists(ec2, name, policy, clock, log, make) {
    const existing = await settleExisting(ec2, name, policy, clock, log);
    if (existing)
        return { reused: existing };
    try {
        return { made: await make() };
    }
    catch (error) {
        if ((0,errors/* awsErrorCode */.J6)(error) !== 'InvalidAMIName.Duplicate')
            throw error;
        const taken = await settleExisting(ec2, name, policy, clock, log, true);
        if (taken)
            return { reused: taken };
        if (policy !== 'replace')
            throw error;
        return { made: await make() };
    }
}
async function findNamed(ec2, name, clock, pauses) {
    for (const pause of pauses) {
        if (pause > 0)
            await clock.sleep(pause);
        const [found] = await ec2.findImagesNamed(name);
        if (found)
            return found;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/distribute/copy.ts
/**
 * Copies of the image in other regions: CopyImage in each target region at once. Each copy enters the ledger
 * the moment EC2 names it, so that a later failure, a cancel or the post step removes it with the rest. A region
 * that already holds an image of the name (a re-run of a half-finished release), or whose name another run takes
 * meanwhile, is settled by `if-exists` as the source region is: fail, reuse that copy, or replace it.
 */



/**
 * CopyImage of `source` into each region, in parallel. Every call is let finish before a failure is thrown, so
 * that no copy EC2 made is missing from the ledger.
 */
async function copyToRegions(aws, source, regions, copy, { ifExists, state, clock, log, signal }) {
    const { kmsKeyIds, ...request } = copy;
    const outcomes = await Promise.allSettled(regions.map(async (region) => {
        const ec2 = aws.ec2(region);
        // One token for the region's copy, whatever sends it again: EC2 then makes at most one.
        const clientToken = (0,external_node_crypto_.randomUUID)();
        const outcome = await makeUnlessExists(ec2, request.name, ifExists, clock, log, () => {
            if (signal.aborted)
                throw new errors/* WaitError */.uf('aborted', `The job was cancelled before CopyImage to ${region}: no copy was made there.`);
            return ec2.copyImage({ ...request, sourceRegion: source.region, sourceImageId: source.imageId, clientToken, kmsKeyId: kmsKeyIds?.get(region) });
        });
        // Reused, not made: it is not the run's to remove.
        if ('reused' in outcome)
            return { region, imageId: outcome.reused.imageId };
        const imageId = outcome.made;
        state.record({ region, imageId, madeBy: 'CopyImage', snapshotIds: [] });
        log(`Copying ${source.imageId} to ${region} as ${imageId}${kmsKeyIds?.has(region) ? `, encrypted with ${kmsKeyIds.get(region)}` : ''}`);
        return { region, imageId };
    }));
    const failures = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ region: regions[i], error: outcome.reason }] : []));
    if (failures.length > 0) {
        const what = failures.map(({ region, error }) => `to ${region}: ${(0,errors/* describeClause */.Lp)(error)}`).join('; ');
        throw new errors/* AwsError */.Gy('CopyImage', (0,errors/* awsErrorCode */.J6)(failures[0].error), `Could not copy ${source.imageId} ${what}.`, failures[0].error);
    }
    return outcomes.map(outcome => outcome.value);
}

;// CONCATENATED MODULE: ./src/distribute/hand-off.ts
/**
 * The hand-off to what launches the images, in every region they live in: a Parameter Store parameter
 * (`aws:ec2:image`) pointing at the region's image, and a new launch template version launching it (made the default
 * unless told otherwise). Each change is recorded in the ledger before it is made, so that a failure, here or later,
 * puts back exactly what was there (`restoreHandOffs`, called by undo before any image is removed).
 */



/**
 * Parameter Store validates an `aws:ec2:image` value after PutParameter has answered, and keeps the old value if it
 * rejects the new one without saying so: a write counts once GetParameter shows it. These pauses (about 24 s in all)
 * bound the wait for that; validation takes seconds.
 */
const CONFIRM_PAUSES_MS = [500, 1_000, 2_000, 4_000, 8_000, 8_000];
/** Before the bake: the bake region must have the launch template, or there is nothing to hand the image to. */
async function checkLaunchTemplate(aws, region, handOff) {
    const wanted = handOff.launchTemplate;
    if (wanted === undefined)
        return undefined;
    const template = await aws.ec2(region).findLaunchTemplate(wanted);
    if (!template) {
        throw new errors/* InputError */.dz(constants/* Inputs */.G0.LaunchTemplate, wanted, `there is no such launch template in ${region}, the region of the bake. Create it there first (it is checked before the bake, so nothing was made)`);
    }
    return template;
}
/** Dry run: checks the launch template calls with DryRun, and says what would be written to the parameter. */
async function checkHandOff(aws, region, handOff, log) {
    const template = await checkLaunchTemplate(aws, region, handOff);
    if (template) {
        // An image id of the right shape that need not exist: DryRun checks the permission, not the image.
        await aws.ec2(region).checkCreateLaunchTemplateVersion(template.id, 'ami-00000000000000000');
        log(`Dry run: may add a version to launch template ${template.name} (${template.id}) in ${region}${handOff.launchTemplateDefault ? ' and make it the default' : ''}.`);
    }
    if (handOff.ssmParameter !== undefined) {
        log(`Dry run: would write the new image's id to parameter ${handOff.ssmParameter} (aws:ec2:image) in ${region} and in each copy region.`);
    }
}
/** Hands every image off, all regions at once; throws naming each region that could not take it. */
async function handOff(aws, images, imageName, handOff, options) {
    const ssmParameterVersions = {};
    const launchTemplateVersions = {};
    const warnings = [];
    const outcomes = await Promise.allSettled(images.map(async (image) => {
        if (handOff.ssmParameter !== undefined)
            ssmParameterVersions[image.region] = await writeParameter(aws, image, handOff.ssmParameter, options);
        if (handOff.launchTemplate !== undefined) {
            const version = await addTemplateVersion(aws, image, imageName, handOff, options);
            if (version === undefined)
                warnings.push(`Launch template ${handOff.launchTemplate} does not exist in ${image.region}: no version was made for ${image.imageId} there.`);
            else
                launchTemplateVersions[image.region] = version;
        }
    }));
    const failures = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ image: images[i], error: outcome.reason }] : []));
    if (failures.length > 0) {
        const what = failures.map(({ image, error }) => `in ${image.region}: ${(0,errors/* describeClause */.Lp)(error)}`).join('; ');
        throw new errors/* AwsError */.Gy('HandOff', (0,errors/* awsErrorCode */.J6)(failures[0].error), `Could not hand the image off ${what}.`, failures[0].error);
    }
    return { ssmParameterVersions, launchTemplateVersions, warnings };
}
async function writeParameter(aws, image, name, { state, clock, log, signal }) {
    const { region, imageId } = image;
    const store = await aws.ssm(region);
    const before = await store.getParameter(name);
    const previous = before && { value: before.value, type: before.type, dataType: before.dataType };
    if (signal.aborted)
        throw new errors/* WaitError */.uf('aborted', `The job was cancelled before writing parameter ${name} in ${region}.`);
    state.recordHandOff({ kind: 'ssm-parameter', region, name, previous, wrote: imageId });
    const version = await store.putParameter(name, imageId, { type: 'String', dataType: 'aws:ec2:image' });
    for (const pause of [0, ...CONFIRM_PAUSES_MS]) {
        if (pause > 0)
            await clock.sleep(pause);
        const stored = await store.getParameter(name);
        if (stored?.value === imageId && stored.version >= version) {
            log(`Parameter ${name} in ${region} holds ${imageId} (version ${stored.version})`);
            return stored.version;
        }
    }
    const holds = await store.getParameter(name).then(stored => (stored ? `it still holds ${stored.value || 'nothing'} (version ${stored.version})` : 'it does not exist'), (error) => `it could not be read back: ${(0,errors/* describeError */.Uc)(error)}`);
    throw new errors/* AwsError */.Gy('PutParameter', 'ParameterNotUpdated', `Parameter Store did not take ${imageId} for ${name} in ${region} within ${Math.round(CONFIRM_PAUSES_MS.reduce((a, b) => a + b) / 1000)} s: ${holds}. ` +
        `It checks an aws:ec2:image value after PutParameter answers and keeps the old one if it cannot find the image as the writer: ` +
        `the role needs ec2:DescribeImages in ${region}. Its EventBridge events ("Parameter Store Change", failure) say why.`);
}
/** A new version of the template launching the image, made the default if asked; undefined when the region has no such template. */
async function addTemplateVersion(aws, image, imageName, handOff, { state, log, signal }) {
    const { region, imageId } = image;
    const ec2 = aws.ec2(region);
    const template = await ec2.findLaunchTemplate(handOff.launchTemplate);
    if (!template)
        return undefined;
    const record = {
        kind: 'launch-template',
        region,
        templateId: template.id,
        previousDefault: template.defaultVersion,
        versions: [],
        defaultChanged: false
    };
    if (signal.aborted)
        throw new errors/* WaitError */.uf('aborted', `The job was cancelled before adding a version to launch template ${template.name} in ${region}.`);
    // Recorded first: whatever happens from here, undo puts the default back. The token keeps the SDK's retries from
    // making a second version.
    state.recordHandOff(record);
    const version = await ec2.createLaunchTemplateVersion(template.id, imageId, imageName, (0,external_node_crypto_.randomUUID)());
    state.recordHandOff({ ...record, versions: [version] });
    log(`Launch template ${template.name} (${template.id}) in ${region} has version ${version} with ${imageId}`);
    if (handOff.launchTemplateDefault) {
        if (signal.aborted)
            throw new errors/* WaitError */.uf('aborted', `The job was cancelled before making version ${version} of ${template.name} the default in ${region}.`);
        state.recordHandOff({ ...record, versions: [version], defaultChanged: true });
        await ec2.setDefaultLaunchTemplateVersion(template.id, version);
        log(`Version ${version} is the default of ${template.name} in ${region} (it was ${template.defaultVersion})`);
    }
    return version;
}

;// CONCATENATED MODULE: ./src/distribute/protect.ts

/** Protects each image; returns one sentence per image that could not be protected. */
async function protect(aws, images, protection, { log, signal }) {
    if (protection === 'off')
        return [];
    if (signal.aborted)
        return [`The job was cancelled before ${images.map(image => image.imageId).join(', ')} could be protected from deregistration. The release stands.`];
    const withCooldown = protection === 'on-with-cooldown';
    const outcomes = await Promise.allSettled(images.map(({ region, imageId }) => aws.ec2(region).protectImage(imageId, withCooldown)));
    const problems = [];
    for (const [i, outcome] of outcomes.entries()) {
        const { region, imageId } = images[i];
        if (outcome.status === 'fulfilled') {
            log(`${imageId} in ${region} is protected from deregistration${withCooldown ? ', with a 24-hour cooldown' : ''}`);
            continue;
        }
        problems.push(`Could not protect ${imageId} in ${region} from deregistration: ${(0,errors/* describeClause */.Lp)(outcome.reason)}. The release stands; protect it by hand: ` +
            `aws ec2 enable-image-deregistration-protection --region ${region} --image-id ${imageId}${withCooldown ? ' --with-cooldown' : ''}`);
    }
    return problems;
}

;// CONCATENATED MODULE: ./src/distribute/publish.ts

/** Whether a publication asks for anything at all. */
function publishes(publication) {
    const { audience, deprecateAt, requireImdsV2 } = publication;
    return requireImdsV2 || deprecateAt !== undefined || audience.accounts.length + audience.organizations.length + audience.ous.length > 0;
}
/** Applies `publication` to every image at once; throws naming each image (by region) that could not take it all. */
async function publish(aws, images, publication, options) {
    if (!publishes(publication))
        return;
    const outcomes = await Promise.allSettled(images.map(image => publishOne(aws, image, publication, options)));
    const failures = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ image: images[i], error: outcome.reason }] : []));
    if (failures.length > 0) {
        const what = failures.map(({ image, error }) => `${image.imageId} in ${image.region}: ${(0,errors/* describeClause */.Lp)(error)}`).join('; ');
        throw new errors/* AwsError */.Gy('ModifyImageAttribute', (0,errors/* awsErrorCode */.J6)(failures[0].error), `Could not publish ${what}.`, failures[0].error);
    }
}
async function publishOne(aws, image, publication, { state, log, signal }) {
    const ec2 = aws.ec2(image.region);
    const { region, imageId } = image;
    const { audience, shareSnapshots, deprecateAt, requireImdsV2 } = publication;
    const unlessCancelled = (what) => {
        if (signal.aborted)
            throw new errors/* WaitError */.uf('aborted', `The job was cancelled before ${what} ${imageId} in ${region}.`);
    };
    // Before anyone may launch it: an instance launched from a shared image must not get IMDSv1 in between.
    if (requireImdsV2) {
        unlessCancelled('requiring IMDSv2 on');
        await ec2.requireImdsV2(imageId);
        log(`${imageId} in ${region} requires IMDSv2`);
    }
    const audiences = describeAudience(audience);
    if (audiences) {
        unlessCancelled('sharing');
        const added = without(audience, await ec2.launchPermissions(imageId));
        if (added.accounts.length + added.organizations.length + added.ous.length > 0)
            state.recordGrant({ region, kind: 'launch', resourceId: imageId, added });
        await ec2.shareImage(imageId, audience);
        log(`Shared ${imageId} in ${region} with ${audiences}`);
    }
    if (shareSnapshots && audience.accounts.length > 0) {
        for (const snapshotId of image.snapshotIds) {
            unlessCancelled(`sharing snapshot ${snapshotId} of`);
            await shareSnapshot(ec2, state, snapshotId, audience.accounts);
        }
        if (image.snapshotIds.length > 0)
            log(`Shared snapshots ${image.snapshotIds.join(', ')} in ${region} with ${plural(audience.accounts.length, 'account')}`);
    }
    if (deprecateAt) {
        unlessCancelled('deprecating');
        await ec2.deprecateImage(imageId, deprecateAt);
        log(`${image.imageId} in ${image.region} is deprecated from ${deprecateAt.toISOString()}`);
    }
}
/** Create-volume permission for the accounts, recording first what the snapshot did not already allow. */
async function shareSnapshot(ec2, state, snapshotId, accounts) {
    const had = new Set(await ec2.volumePermissions(snapshotId));
    const added = { accounts: accounts.filter(account => !had.has(account)), organizations: [], ous: [] };
    if (added.accounts.length === 0)
        return;
    state.recordGrant({ region: ec2.region, kind: 'create-volume', resourceId: snapshotId, added });
    await ec2.shareSnapshot(snapshotId, added.accounts);
}
/** What `audience` adds to what `had` already allowed. */
function without(audience, had) {
    const minus = (wanted, present) => wanted.filter(item => !present.includes(item));
    return { accounts: minus(audience.accounts, had.accounts), organizations: minus(audience.organizations, had.organizations), ous: minus(audience.ous, had.ous) };
}
/** "2 accounts, 1 organization" or '' for nobody. */
function describeAudience(audience) {
    return [
        plural(audience.accounts.length, 'account'),
        plural(audience.organizations.length, 'organization'),
        plural(audience.ous.length, 'organizational unit')
    ]
        .filter(Boolean)
        .join(', ');
}
function plural(count, noun) {
    return count === 0 ? '' : `${count} ${noun}${count === 1 ? '' : 's'}`;
}

;// CONCATENATED MODULE: ./src/distribute/retire.ts




/** What EC2 needs to answer DescribeImageReferences for every kind of reference, as AWS documents it. */
const IMAGE_REFERENCES_PERMISSIONS = 'ec2:DescribeImageReferences, and for EC2 to look on your behalf: ec2:DescribeInstances, ec2:DescribeLaunchTemplates, ' +
    'ec2:DescribeLaunchTemplateVersions, ssm:DescribeParameters, ssm:GetParameters, imagebuilder:ListImageRecipes, ' +
    'imagebuilder:ListContainerRecipes and imagebuilder:GetContainerRecipe (the AWS managed policy AmazonEC2ImageReferencesAccessPolicy grants them)';
/** Retention in each region, at once. `ours`: the run's images (made, copied or reused), never touched. */
async function retire(aws, regions, ours, retention, options) {
    const reports = await Promise.all(regions.map(region => retireIn(aws.ec2(region), ours, retention, options).catch((error) => ({
        removed: [],
        kept: [],
        // Only the look-ups can throw, and they come before any removal.
        problems: [`In ${region}, retention removed nothing: ${(0,errors/* describeClause */.Lp)(error)}.`]
    }))));
    return {
        removed: reports.flatMap(report => report.removed),
        kept: reports.flatMap(report => report.kept),
        problems: reports.flatMap(report => report.problems)
    };
}
async function retireIn(ec2, ours, retention, { clock, log, signal }) {
    const { region } = ec2;
    const { family, keepLatest, keepLaunchedWithinMs, dryRun } = retention;
    const members = (await ec2.findImagesTagged(constants/* FAMILY_TAG_KEY */.i3, family))
        .filter(image => image.state !== 'pending')
        .sort((a, b) => b.creationDate.localeCompare(a.creationDate));
    const kept = [];
    const keep = (image, reason, references = []) => {
        kept.push({ region, imageId: image.imageId, name: image.name, reason, references });
        log(`Retention keeps ${image.imageId} (${image.name}) in ${region}: ${reason}`);
    };
    // In a dry run the new image does not exist yet: it is one of the newest N all the same.
    const newest = dryRun ? keepLatest - 1 : keepLatest;
    let candidates = [];
    for (const [index, image] of members.entries()) {
        if (ours.has(image.imageId))
            keep(image, 'this run made or reused it');
        else if (index < newest)
            keep(image, `one of the newest ${keepLatest}`);
        else if (image.deregistrationProtection !== 'disabled')
            keep(image, `it is protected from deregistration (${image.deregistrationProtection})`);
        else if (launchedWithin(image, keepLaunchedWithinMs, clock.now()))
            keep(image, `it was launched at ${image.lastLaunchedTime}`);
        else
            candidates.push(image);
    }
    if (candidates.length === 0)
        return { removed: [], kept, problems: [] };
    let references;
    try {
        references = await ec2.imageReferences(candidates.map(image => image.imageId));
    }
    catch (error) {
        const problem = `In ${region}, retention removed nothing: it could not ask EC2 what refers to the ${candidates.length} older image(s) ` +
            `(${(0,errors/* describeClause */.Lp)(error)}), and will not remove an image that may still be launched. It needs ${IMAGE_REFERENCES_PERMISSIONS}.`;
        return { removed: [], kept, problems: [problem] };
    }
    candidates = candidates.filter(image => {
        const arns = references.get(image.imageId) ?? [];
        if (arns.length > 0)
            keep(image, `${arns.join(', ')} ${arns.length === 1 ? 'refers' : 'refer'} to it`, arns);
        return arns.length === 0;
    });
    const deletable = await deletableSnapshots(ec2, candidates);
    const removed = [];
    const problems = [];
    for (const image of candidates) {
        const snapshotIds = image.snapshotIds.filter(id => deletable.get(id) === image.imageId);
        const what = `${image.imageId} (${image.name}, created ${image.creationDate}) in ${region}`;
        if (dryRun) {
            log(`Dry run: retention would deregister ${what}${snapshotIds.length ? ` and delete ${snapshotIds.join(', ')}` : ''}`);
            removed.push({ region, imageId: image.imageId, name: image.name, creationDate: image.creationDate, snapshotIds });
            continue;
        }
        if (signal?.aborted) {
            problems.push(`The job was cancelled: retention left ${what} and the older images after it.`);
            break;
        }
        try {
            await ec2.deregisterImage(image.imageId);
        }
        catch (error) {
            problems.push(`Could not deregister ${what}: ${(0,errors/* describeClause */.Lp)(error)}.`);
            continue;
        }
        const deleted = [];
        for (const id of snapshotIds) {
            const outcome = await deleteSnapshot(ec2, id, clock);
            if (outcome === true)
                deleted.push(id);
            else
                problems.push(`Could not delete snapshot ${id} of ${image.imageId} in ${region}: ${outcome.replace(/\.+$/, '')}.`);
        }
        log(`Retention deregistered ${what}${deleted.length ? ` and deleted ${deleted.join(', ')}` : ''}`);
        removed.push({ region, imageId: image.imageId, name: image.name, creationDate: image.creationDate, snapshotIds: deleted });
    }
    return { removed, kept, problems };
}
function launchedWithin(image, withinMs, now) {
    if (withinMs === undefined || !image.lastLaunchedTime)
        return false;
    return now - Date.parse(image.lastLaunchedTime) <= withinMs;
}
/**
 * The snapshots of the retiring images that retention may delete, each with the image it goes with: EC2 made it for
 * that image (`ownership.ts`; a snapshot a user registered or mapped is left alone), and no image that stays uses it.
 */
async function deletableSnapshots(ec2, retiring) {
    const candidates = [...new Set(retiring.flatMap(image => image.snapshotIds))];
    if (candidates.length === 0)
        return new Map();
    const owner = new Map(retiring.flatMap(image => image.snapshotIds.map(id => [id, image.imageId])));
    const made = (await ec2.describeOwnSnapshots(candidates)).filter(snapshot => madeFor(snapshot.description, owner.get(snapshot.snapshotId) ?? ''));
    const leaving = new Set(retiring.map(image => image.imageId));
    const staying = (await ec2.findImagesUsing(made.map(snapshot => snapshot.snapshotId))).filter(image => !leaving.has(image.imageId));
    const used = new Set(staying.flatMap(image => image.snapshotIds));
    return new Map(made.filter(snapshot => !used.has(snapshot.snapshotId)).map(snapshot => [snapshot.snapshotId, owner.get(snapshot.snapshotId)]));
}

;// CONCATENATED MODULE: ./src/distribute/index.ts
/** Distribution: the image's journey after it is made and available. The only door to `src/distribute/`. */






;// CONCATENATED MODULE: ./src/encryption/encrypt.ts
/**
 * An encrypted release: the image made (or reused) is the release if every snapshot of it is encrypted with the
 * region's key; otherwise it is made under an intermediate name, copied in its own region with the key, and removed
 * once the encrypted copy is available. Which of the two is decided before the bake, from the instance's volumes (or
 * the snapshot to register), since an AMI's name cannot change and the copy must take the release's.
 */




/** AMI names are at most 128 characters. */
const NAME_MAX = 128;
/**
 * Before the bake: whether the image made from the source will already be encrypted with `key`. Only the volumes
 * the source has are known: a mapping that adds or changes an EBS volume makes it an intermediate, to be sure.
 */
async function planMaking(ec2, settings, key) {
    const release = { name: settings.name, description: settings.description, tagged: true, intermediate: false };
    if (!key || (await madeWithKey(ec2, settings, key.arn)))
        return release;
    const suffix = ` unencrypted ${(0,external_node_crypto_.randomBytes)(4).toString('hex')}`;
    return {
        name: `${settings.name.slice(0, NAME_MAX - suffix.length)}${suffix}`,
        description: `Unencrypted image of '${settings.name}', removed by bake-ami once its copy encrypted with ${key.label} is available`,
        tagged: false,
        intermediate: true
    };
}
async function madeWithKey(ec2, settings, keyArn) {
    if (settings.blockDeviceMappings.some(mapping => mapping.Ebs !== undefined))
        return false;
    const volumes = await sourceKeys(ec2, settings);
    return volumes.length > 0 && volumes.every(volume => volume.kmsKeyId === keyArn);
}
/**
 * What the image is made from, each with the key it is encrypted with (none: not encrypted): the snapshot to register,
 * or the instance's EBS volumes but those `block-device-mappings` leaves out (`NoDevice`).
 */
async function sourceKeys(ec2, settings) {
    const { source } = settings;
    if (source.kind === 'snapshot') {
        const { kmsKeyId } = await ec2.describeSourceSnapshot(source.snapshotId);
        return [{ id: source.snapshotId, kmsKeyId }];
    }
    const left = new Set(settings.blockDeviceMappings.flatMap(mapping => (mapping.NoDevice !== undefined ? [mapping.DeviceName] : [])));
    const volumes = (await ec2.instanceVolumes(source.instanceId)).filter(volume => !left.has(volume.device));
    return volumes.map(volume => ({ id: volume.volumeId, kmsKeyId: volume.kmsKeyId }));
}
/**
 * After the image is available: throws unless every snapshot of an image made (or reused) under the release's name
 * is encrypted with `key`. The ones that are not are named.
 */
async function checkEncrypted(ec2, image, key, reused) {
    const found = await ec2.describeOwnSnapshots(image.snapshotIds);
    const wrong = image.snapshotIds.filter(id => found.find(snapshot => snapshot.snapshotId === id)?.kmsKeyId !== key.arn);
    if (wrong.length === 0)
        return;
    const what = wrong.map(id => `${id} (${describeKeyOf(found.find(snapshot => snapshot.snapshotId === id)?.kmsKeyId)})`).join(', ');
    const fix = reused
        ? `It was reused ('if-exists: reuse'): set 'if-exists: replace' to make the release again, encrypted.`
        : `Its volumes were encrypted with the key before the bake; something changed them meanwhile. Run the job again.`;
    throw new errors/* AwsError */.Gy('DescribeSnapshots', 'NotEncryptedWithKey', `Image ${image.imageId} in ${image.region} is to be encrypted with ${key.label}, but its snapshots ${what} are not. ${fix}`);
}
function describeKeyOf(kmsKeyId) {
    return kmsKeyId === undefined ? 'not encrypted, or not readable' : `encrypted with ${kmsKeyId}`;
}
/**
 * Removes the intermediate image and its snapshots once its encrypted copy is available. The release stands either
 * way: what cannot be removed is a warning with the commands that remove it.
 */
async function discardIntermediate(aws, image, { state, clock, log }) {
    const entry = state.entries().find(held => held.imageId === image.imageId);
    if (!entry)
        return undefined;
    const removal = { ...entry, ownsSnapshots: ownsSnapshots(entry) };
    const { left } = await removeImage(aws.ec2(image.region), removal, clock, { lookForSnapshotsMs: 0, log, theUsers: state.usersSnapshots });
    if (left.length > 0)
        return `Could not remove the unencrypted image ${image.imageId} in ${image.region}; remove it by hand:\n${manualCleanup(image.region, left)}`;
    state.record({ ...entry, removed: true });
    return undefined;
}

;// CONCATENATED MODULE: ./src/encryption/keys.ts

/** `sharedWith`: who the image is shared with ("2 accounts"), or undefined when it is not shared. */
async function checkKeys(aws, regions, encryption, sharedWith) {
    const outcomes = await Promise.allSettled(regions.map(region => checkKey(aws, region, encryption.keys.get(region), sharedWith)));
    const problems = outcomes.flatMap(outcome => (outcome.status === 'rejected' ? [outcome.reason] : []));
    if (problems.length > 0) {
        const sentence = problems.map(problem => (0,errors/* describeClause */.Lp)(problem)).join('. ');
        throw new errors/* AwsError */.Gy('DescribeKey', (0,errors/* awsErrorCode */.J6)(problems[0]), `${sentence}. Nothing was made.`, problems[0]);
    }
    return new Map(outcomes.map(outcome => outcome.value).map(key => [key.region, key]));
}
async function checkKey(aws, region, asked, sharedWith) {
    const { key, label, which } = await describeKeyIn(aws, region, asked);
    const refuse = (why) => new errors/* AwsError */.Gy('DescribeKey', 'InvalidKey', `In ${region}, the KMS key ${which} ${why}`);
    if (key.state !== 'Enabled') {
        const fix = key.state === 'PendingDeletion'
            ? `cancel its deletion (aws kms cancel-key-deletion --region ${region} --key-id ${key.arn}) and enable it`
            : `enable it (aws kms enable-key --region ${region} --key-id ${key.arn})`;
        throw refuse(`is ${key.state}: EBS cannot encrypt with it. ${capitalise(fix)}, or name another key`);
    }
    if (key.spec !== 'SYMMETRIC_DEFAULT' || key.usage !== 'ENCRYPT_DECRYPT') {
        throw refuse(`is a ${key.spec} key for ${key.usage}: EBS encrypts only with symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT). Name another key`);
    }
    if (key.manager === 'AWS' && sharedWith !== undefined) {
        throw refuse(`is an AWS managed key, and the image is shared with ${sharedWith}: accounts you share with cannot use an AWS managed key, ` +
            `so EC2 would refuse to share the image's snapshots and those accounts could not launch it. Name a customer managed key ` +
            `whose key policy lets them use it, in 'kms-key-id' or, for a copy region, 'copy-kms-key-ids' (README: Encrypted releases)`);
    }
    return { region, arn: key.arn, label };
}
/** The key asked for in `region`, or with none its default EBS key (which the account may have set, else aws/ebs), described. */
async function describeKeyIn(aws, region, asked) {
    const keyId = asked ?? (await aws.ec2(region).defaultKmsKeyId());
    const keys = await aws.kms(region);
    const key = await keys.describeKey(keyId);
    const label = keyId.includes('alias/') ? keyId.slice(keyId.indexOf('alias/')) : ((await aliasOf(keys, key)) ?? key.arn);
    const which = `${label === key.arn ? key.arn : `${label} (${key.arn})`}${asked === undefined ? `, the default EBS key of ${region}` : ''}`;
    return { key, label, which };
}
/** The key's first alias, for the summary; none when it has none or the role may not list them (only a label is lost). */
async function aliasOf(keys, key) {
    return (await keys.aliasesOf(key.arn).catch(() => []))[0];
}
function capitalise(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}

;// CONCATENATED MODULE: ./src/encryption/shared-source.ts



/** Throws, naming each region and key, when the shared image or a copy would use an AWS managed key; returns warnings. */
async function checkSharedSource(aws, settings, sharedWith) {
    const unchecked = (what, error) => `Could not check ${what} (${(0,errors/* describeClause */.Lp)(error)}). If it is an AWS managed key (aws/ebs), sharing the image will fail once it is made: ` +
        `the README's Encrypted releases section lists the permissions this check needs.`;
    let encrypted;
    try {
        encrypted = (await sourceKeys(aws.ec2(settings.region), settings)).filter(volume => volume.kmsKeyId !== undefined);
    }
    catch (error) {
        return [unchecked(`how the source of the shared image is encrypted`, error)];
    }
    if (encrypted.length === 0)
        return [];
    const byKey = new Map();
    for (const { id, kmsKeyId } of encrypted)
        byKey.set(kmsKeyId, [...(byKey.get(kmsKeyId) ?? []), id]);
    const lookups = [
        ...[...byKey].map(([keyArn, ids]) => ({ region: settings.region, asked: keyArn, what: `${ids.join(', ')}, which the image is made from, are` })),
        ...settings.distribution.copyToRegions.map(region => ({ region, asked: undefined, what: `the copy would be` }))
    ];
    const warnings = [];
    const problems = [];
    await Promise.all(lookups.map(async ({ region, asked, what }) => {
        try {
            const { key, which } = await describeKeyIn(aws, region, asked);
            if (key.manager === 'AWS')
                problems.push(`In ${region}, ${what} encrypted with ${which}, an AWS managed key`);
        }
        catch (error) {
            warnings.push(unchecked(asked ? `the key ${asked} in ${region}` : `the default EBS key of ${region}`, error));
        }
    }));
    if (problems.length > 0) {
        throw new errors/* AwsError */.Gy('DescribeKey', 'AwsManagedKey', `${problems.join('. ')}. The image is shared with ${sharedWith}, and accounts you share with cannot use an AWS managed key: EC2 would ` +
            `refuse to share the image and they could not launch it. Set 'encrypt: true' and name a customer managed key whose key policy ` +
            `lets them use it in 'kms-key-id' (and 'copy-kms-key-ids' for a copy region): the image is then copied with that key (README: ` +
            `Encrypted releases). Nothing was made.`);
    }
    return warnings;
}

;// CONCATENATED MODULE: ./src/encryption/index.ts
/** Encrypted releases: the keys checked before the bake, and the image encrypted after it. The only door to `src/encryption/`. */




;// CONCATENATED MODULE: ./src/make-image.ts
/**
 * The first step of an image's journey: make it, with CreateImage from an instance or RegisterImage from an
 * EBS snapshot, or reuse the one that holds its name (`if-exists`). Everything after (announce, wait, report,
 * undo) is the same for all; what differs is kept here, and in the ledger entry's `madeBy`, which tells cleanup
 * whether the image's snapshots are ours.
 */




/** The EC2 call that makes the image, for messages. */
function makingCall(settings) {
    return settings.source.kind === 'instance' ? 'CreateImage' : 'RegisterImage';
}
/**
 * `signal`: the job's cancellation; once aborted, nothing is made (a look-up or `replace` may have run before).
 * `if-exists` always settles the release's name; `as` is what the image made is called, when not the release.
 */
async function makeImage(ec2, settings, clock, signal, as) {
    const outcome = await makeUnlessExists(ec2, settings.name, settings.ifExists, clock, line => core/* info */.pq(line), () => {
        if (signal?.aborted)
            throw new errors/* WaitError */.uf('aborted', `The job was cancelled before ${makingCall(settings)}: nothing was made.`);
        return make(ec2, as ? renamed(settings, as) : settings);
    });
    if ('made' in outcome)
        return outcome.made;
    const { imageId, state } = outcome.reused;
    return { imageId, madeBy: 'reused', state };
}
async function make(ec2, settings) {
    const { source } = settings;
    if (source.kind === 'instance')
        return { imageId: await ec2.createImage(imageRequest(settings, source)), madeBy: 'CreateImage', state: 'pending' };
    await checkSourceSnapshot(ec2, source);
    core/* info */.pq(`Registering ${source.snapshotId} as an image (${source.architecture}, root ${source.rootDeviceName})`);
    return { imageId: await ec2.registerImage(registerRequest(settings, source)), madeBy: 'RegisterImage', state: 'pending' };
}
/** Dry run: whether the image could be made; returns the sentence to log. Throws the translated refusal. */
async function checkMakeImage(ec2, settings) {
    const { source } = settings;
    if (source.kind === 'instance') {
        await ec2.checkCreateImage(imageRequest(settings, source));
        return `Dry run: ${ec2.principal} may call ec2:CreateImage on ${source.instanceId} in ${settings.region}. Nothing was made.`;
    }
    await checkSourceSnapshot(ec2, source);
    await ec2.checkRegisterImage(registerRequest(settings, source));
    return `Dry run: ${ec2.principal} may call ec2:RegisterImage with ${source.snapshotId} in ${settings.region}, which is completed. Nothing was made.`;
}
/**
 * The snapshots the image is known to use before EC2 describes it: none yet for CreateImage, which makes its
 * own; for RegisterImage the source and any snapshot the user mapped.
 */
function knownSnapshotIds(settings) {
    return settings.source.kind === 'instance' ? [] : usersSnapshotIds(settings);
}
/** Snapshots the inputs name (`snapshot-id`, and any in `block-device-mappings`): the user's, never the run's. */
function usersSnapshotIds(settings) {
    const mapped = settings.blockDeviceMappings.flatMap(mapping => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []));
    return settings.source.kind === 'snapshot' ? [settings.source.snapshotId, ...mapped] : mapped;
}
/**
 * Tags for the snapshots the run makes (CreateImage's and CopyImage's): the image's with `tag-snapshots`, else
 * only the family tag, by which retention later knows them as the family's.
 */
function snapshotTags(settings) {
    return settings.tags.filter(tag => settings.tagSnapshots || tag.key === constants/* FAMILY_TAG_KEY */.i3);
}
function renamed(settings, { name, description, tagged }) {
    return { ...settings, name, description, tags: tagged ? settings.tags : [], tagSnapshots: tagged && settings.tagSnapshots };
}
function imageRequest(settings, source) {
    const { name, description, noReboot, tags, blockDeviceMappings, snapshotLocation } = settings;
    return { instanceId: source.instanceId, name, description, noReboot, tags, snapshotTags: snapshotTags(settings), blockDeviceMappings, snapshotLocation };
}
function registerRequest(settings, source) {
    const { name, description, tags, blockDeviceMappings } = settings;
    const { snapshotId, architecture, rootDeviceName, virtualizationType, bootMode, enaSupport, tpmSupport, rootVolumeSize, rootVolumeType } = source;
    return {
        snapshotId,
        architecture,
        rootDeviceName,
        virtualizationType,
        bootMode,
        enaSupport,
        tpmSupport,
        rootVolumeSize,
        rootVolumeType,
        name,
        description,
        tags,
        blockDeviceMappings
    };
}
/**
 * RegisterImage needs a completed snapshot, and a root volume that holds it. Checked first, so that either
 * problem is a sentence about the input, with no image made, rather than EC2's error after the fact.
 */
async function checkSourceSnapshot(ec2, source) {
    const { snapshotId } = source;
    const snapshot = await ec2.describeSourceSnapshot(snapshotId);
    if (snapshot.state === 'pending') {
        throw new errors/* InputError */.dz(constants/* Inputs */.G0.SnapshotId, snapshotId, `snapshot ${snapshotId} in ${ec2.region} is still pending (${snapshot.progress}% done), and RegisterImage needs a completed snapshot. ` +
            `Wait for it before this step (aws ec2 wait snapshot-completed --region ${ec2.region} --snapshot-ids ${snapshotId}). Nothing was registered.`);
    }
    if (snapshot.state !== 'completed') {
        throw new errors/* InputError */.dz(constants/* Inputs */.G0.SnapshotId, snapshotId, `snapshot ${snapshotId} in ${ec2.region} is in state '${snapshot.state}': EC2 could not complete it, so it cannot be registered. ` +
            `Make the snapshot again. Nothing was registered.`);
    }
    if (source.rootVolumeSize !== undefined && source.rootVolumeSize < snapshot.sizeGiB) {
        throw new errors/* InputError */.dz(constants/* Inputs */.G0.RootVolumeSize, String(source.rootVolumeSize), `snapshot ${snapshotId} is ${snapshot.sizeGiB} GiB, and the root volume must hold it: set ${snapshot.sizeGiB} or more, ` +
            `or leave '${constants/* Inputs */.G0.RootVolumeSize}' empty for the snapshot's size. Nothing was registered.`);
    }
}

;// CONCATENATED MODULE: ./src/report.ts
/** Outputs and the job summary: what the deploy steps and the person reading the run see. */




/**
 * Sets the outputs that exist as soon as CreateImage returns (or the image to reuse is found), so nothing is lost
 * if a later step fails.
 */
function announceImage(region, imageId, name, reused = false) {
    core/* setOutput */.uH(constants/* Outputs */.tY.ImageId, imageId);
    core/* setOutput */.uH(constants/* Outputs */.tY.ImageName, name);
    core/* setOutput */.uH(constants/* Outputs */.tY.Region, region);
    announceRegions([{ region, imageId }]);
    core/* info */.pq(`${reused ? 'Reusing' : 'Created'} image ${imageId} (${name}) in ${region}`);
}
/** The `images` output (region -> image id), set again as soon as copies exist. */
function announceRegions(images) {
    core/* setOutput */.uH(constants/* Outputs */.tY.Images, JSON.stringify(Object.fromEntries(images.map(image => [image.region, image.imageId]))));
}
/** The final outputs and the job summary. */
async function reportImages(images, retirement, handed) {
    const [source] = images;
    if (source) {
        core/* setOutput */.uH(constants/* Outputs */.tY.State, source.state);
        core/* setOutput */.uH(constants/* Outputs */.tY.SnapshotIds, JSON.stringify(source.snapshotIds));
        announceRegions(images);
    }
    core/* setOutput */.uH(constants/* Outputs */.tY.RemovedImageIds, JSON.stringify(retirement?.removed.map(image => image.imageId) ?? []));
    core/* setOutput */.uH(constants/* Outputs */.tY.SsmParameterVersions, JSON.stringify(handed?.ssmParameterVersions ?? {}));
    core/* setOutput */.uH(constants/* Outputs */.tY.LaunchTemplateVersions, JSON.stringify(handed?.launchTemplateVersions ?? {}));
    // Off a runner (a local run without GITHUB_STEP_SUMMARY) there is nowhere to write a summary.
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    try {
        await writeSummary(images, retirement);
    }
    catch (error) {
        // The image is good and its outputs are set: a summary is never a reason to fail, or to remove it.
        core/* warning */.$e(`Could not write the job summary: ${(0,errors/* describeClause */.Lp)(error)}. The image and the outputs are not affected.`);
    }
}
async function writeSummary(images, retirement) {
    // The key column only for an encrypted release: next to the image it encrypts.
    const keyed = images.some(image => image.key !== undefined);
    const summary = core/* summary */.z.addHeading('bake-ami', 2).addTable([
        ['Region', 'Image', ...(keyed ? ['Key'] : []), 'Name', 'State', 'Time to available', 'Snapshots', 'Tags', 'Shared with', 'Deprecation'].map(data => ({
            data,
            header: true
        })),
        ...images.map(image => [
            image.region,
            image.imageId,
            ...(keyed ? [image.key ?? 'not encrypted'] : []),
            image.name,
            image.state,
            image.availableAfterMs === undefined ? 'not waited for' : (0,duration/* formatDuration */.a)(image.availableAfterMs),
            image.snapshotIds.join(', ') || 'none',
            image.tags.map(tag => `${tag.key}=${tag.value}`).join(', ') || 'none',
            image.sharedWith || 'nobody',
            image.deprecateAt ?? 'none'
        ].map(escapeHtml))
    ]);
    if (retirement) {
        const { removed, kept } = retirement;
        const items = [
            ...removed.map(image => `Removed ${image.imageId} (${image.name}, created ${image.creationDate}) in ${image.region}` +
                (image.snapshotIds.length ? ` with ${image.snapshotIds.join(', ')}` : '')),
            ...kept.map(image => `Kept ${image.imageId} (${image.name}) in ${image.region}: ${image.reason}`)
        ];
        summary.addHeading('Retention', 3);
        if (items.length > 0)
            summary.addList(items.map(escapeHtml));
        else
            summary.addRaw('No older image of the family.', true);
    }
    await summary.write();
}
/** core.summary puts table cells into HTML as they are; tag values may hold any character. */
function escapeHtml(text) {
    return text.replace(/[&<>"']/g, character => `&#${character.charCodeAt(0)};`);
}

;// CONCATENATED MODULE: ./src/main.ts
/**
 * The story of a bake, once `run.ts` has read valid inputs: credentials, the keys, make the image (or reuse it), wait,
 * encrypt it, copy to other regions, publish, hand off, report, and retire the family's old images; and undo what the
 * run made when it goes wrong.
 */








/** How long main keeps looking for the snapshots of an image it deregistered while pending. */
const LOOK_FOR_SNAPSHOTS_MS = 60_000;
/** When cancelled, the runner kills the step about 10 s after SIGINT; post finishes what main cannot. */
const LOOK_FOR_SNAPSHOTS_CANCELLED_MS = 5_000;
/** The bake of valid settings (`run.ts` reads them), from `started`; throws what fails it. */
async function bake(settings, started, deps) {
    const state = new BakeState(deps.state);
    state.begin(settings.credentials, settings.cleanupOnFailure);
    state.recordUsersSnapshots(usersSnapshotIds(settings));
    const aws = await deps.connect(settings.credentials, settings.region);
    if (settings.dryRun) {
        core/* info */.pq(await checkMakeImage(aws.ec2(settings.region), settings));
        const keys = await releaseKeys(aws, settings);
        for (const key of keys?.values() ?? [])
            core/* info */.pq(`Dry run: ${key.region} encrypts with ${key.label} (${key.arn}), which is enabled and usable.`);
        await checkHandOff(aws, settings.region, settings.handOff, line => core/* info */.pq(line));
        await retireOldImages(aws, settings, [], deps);
        state.markFinished();
        return;
    }
    // Nothing to hand the image to, or a key that cannot be used, is a mistake best found before the bake, not after it.
    await checkLaunchTemplate(aws, settings.region, settings.handOff);
    const keys = await releaseKeys(aws, settings);
    const making = await planMaking(aws.ec2(settings.region), settings, keys?.get(settings.region));
    const { imageId, madeBy, state: found } = await makeImage(aws.ec2(settings.region), settings, deps.clock, deps.signal, making);
    const source = { region: settings.region, imageId };
    // The ledger learns the image's snapshots as EC2 shows them, and only if they are the run's to delete.
    if (madeBy !== 'reused')
        state.record({ ...source, madeBy, snapshotIds: [] });
    const encrypting = keys && { keys, making: madeBy === 'reused' ? undefined : making };
    // An intermediate is not the release: `image-id` waits for its encrypted copy.
    if (encrypting?.making?.intermediate)
        core/* info */.pq(`Created the unencrypted image ${imageId} (${making.name}) in ${settings.region}, to copy encrypted`);
    else
        announceImage(settings.region, imageId, settings.name, madeBy === 'reused');
    let images;
    let handed;
    try {
        ;
        ({ images, handed } = settings.wait
            ? await release(aws, source, settings, state, deps, started, encrypting)
            : { images: [notWaitedFor(source, found, settings)] });
        // The last step, once everything else has succeeded: a failure is a warning, and the release stands.
        const unprotected = await protect(aws, images, settings.distribution.deregistrationProtection, { log: line => core/* info */.pq(line), signal: deps.signal });
        unprotected.forEach(problem => core/* warning */.$e(problem));
        state.markFinished();
    }
    catch (error) {
        await undo(aws, state, deps.clock, deps.signal.aborted ? LOOK_FOR_SNAPSHOTS_CANCELLED_MS : LOOK_FOR_SNAPSHOTS_MS);
        throw error;
    }
    // The release is good from here on: nothing below fails the step or removes what it made.
    const retirement = await retireOldImages(aws, settings, images, deps);
    await reportImages(images, retirement, handed);
}
/**
 * The keys of an encrypted release, checked in every region of the run; undefined without `encrypt`, when a shared
 * image's own encryption is checked instead.
 */
async function releaseKeys(aws, settings) {
    // Empty for nobody: then an AWS managed key will do.
    const sharedWith = describeAudience(audienceOf(settings)) || undefined;
    if (settings.encryption.encrypt)
        return checkKeys(aws, [settings.region, ...settings.distribution.copyToRegions], settings.encryption, sharedWith);
    if (sharedWith)
        for (const warning of await checkSharedSource(aws, settings, sharedWith))
            core/* warning */.$e(warning);
    return undefined;
}
/** The image available (encrypted), copied to every region, published in all of them, and handed to what launches it. */
async function release(aws, made, settings, state, deps, started, encrypting) {
    const waiting = { clock: deps.clock, signal: deps.signal, timeoutMs: settings.waitTimeoutMs };
    const log = (line) => core/* info */.pq(line);
    const { distribution } = settings;
    const { name, description, tags } = settings;
    const request = { name, description, tags, snapshotTags: snapshotTags(settings), completionMinutes: settings.encryption.copyCompletionMinutes };
    const copying = { ifExists: settings.ifExists, state, clock: deps.clock, log, signal: deps.signal };
    const [bakedImage] = await waitUntilAvailable(aws, [made], state, waiting);
    const available = [encrypting ? await encrypted(aws, bakedImage, encrypting, { request, copying, waiting }) : bakedImage];
    const [source] = available;
    if (distribution.copyToRegions.length > 0) {
        const kmsKeyIds = encrypting && new Map([...encrypting.keys.values()].map(key => [key.region, key.arn]));
        const copies = await copyToRegions(aws, source, distribution.copyToRegions, { ...request, kmsKeyIds }, copying);
        announceRegions([source, ...copies]);
        available.push(...(await waitUntilAvailable(aws, copies, state, waiting)));
    }
    const publication = publicationOf(settings, started);
    await publish(aws, available.map(image => ({ ...image, snapshotIds: image.image.snapshotIds })), publication, { state, log, signal: deps.signal });
    const handing = { state, clock: deps.clock, log, signal: deps.signal };
    const handed = await handOff(aws, available, settings.name, settings.handOff, handing);
    handed.warnings.forEach(warning => core/* warning */.$e(warning));
    const sharedWith = describeAudience(publication.audience);
    const deprecateAt = publication.deprecateAt?.toISOString();
    const key = (region) => encrypting?.keys.get(region)?.label;
    return { images: available.map(image => ({ ...baked(image, settings), sharedWith, deprecateAt, key: key(image.region) })), handed };
}
/**
 * The release encrypted with its region's key: the image itself when made (or reused) so, else its copy in its own
 * region with the key, which then takes `image-id`, once available the unencrypted image removed.
 */
async function encrypted(aws, image, { keys, making }, { request, copying, waiting }) {
    const key = keys.get(image.region);
    if (!making?.intermediate) {
        await checkEncrypted(aws.ec2(image.region), { ...image, snapshotIds: image.image.snapshotIds }, key, making === undefined);
        return image;
    }
    const kmsKeyIds = new Map([[image.region, key.arn]]);
    const [copy] = await copyToRegions(aws, image, [image.region], { ...request, kmsKeyIds }, copying);
    announceImage(copy.region, copy.imageId, request.name);
    const [release] = await waitUntilAvailable(aws, [copy], copying.state, waiting);
    const left = await discardIntermediate(aws, image, copying);
    if (left)
        core/* warning */.$e(left);
    // The release took as long as both waits.
    return { ...release, waitedMs: image.waitedMs + release.waitedMs };
}
/** Retention, when asked for: a warning for each problem, never a failure. */
async function retireOldImages(aws, settings, images, deps) {
    const { family, keepLatest, keepLaunchedWithinMs } = settings.distribution;
    if (family === undefined || keepLatest === undefined)
        return undefined;
    const regions = [settings.region, ...settings.distribution.copyToRegions];
    const ours = new Set(images.map(image => image.imageId));
    const retention = { family, keepLatest, keepLaunchedWithinMs, dryRun: settings.dryRun };
    const report = await retire(aws, regions, ours, retention, { clock: deps.clock, log: line => core/* info */.pq(line), signal: deps.signal });
    for (const problem of report.problems)
        core/* warning */.$e(`Retention: ${problem} The new image is not affected.`);
    return report;
}
/** What to apply to every image; deprecation counts from the step's start, the same moment for every region. */
function publicationOf(settings, started) {
    const { shareSnapshots, deprecateAfterMs, imdsSupport } = settings.distribution;
    return {
        audience: audienceOf(settings),
        shareSnapshots,
        deprecateAt: deprecateAfterMs === undefined ? undefined : new Date(started + deprecateAfterMs),
        requireImdsV2: imdsSupport === 'v2.0'
    };
}
/** Who the image is shared with: `share-with-accounts`, `-organizations` and `-ous`. */
function audienceOf(settings) {
    const { shareWithAccounts, shareWithOrganizations, shareWithOus } = settings.distribution;
    return { accounts: shareWithAccounts, organizations: shareWithOrganizations, ous: shareWithOus };
}
function baked(image, settings) {
    const { region, imageId, waitedMs } = image;
    return { region, imageId, name: settings.name, state: image.image.state, snapshotIds: image.image.snapshotIds, tags: settings.tags, availableAfterMs: waitedMs };
}
/** With `wait: false`: the state when made (pending) or found (a reused image). */
function notWaitedFor(source, state, settings) {
    return { ...source, name: settings.name, state, snapshotIds: knownSnapshotIds(settings), tags: settings.tags };
}


/***/ })

};
