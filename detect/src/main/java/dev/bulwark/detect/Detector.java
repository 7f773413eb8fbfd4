package dev.bulwark.detect;

import dev.bulwark.detect.internal.Clients;
import dev.bulwark.detect.internal.Fields;
import dev.bulwark.detect.internal.Items;
import dev.bulwark.detect.internal.KeyState;
import dev.bulwark.detect.internal.Packing;
import dev.bulwark.detect.internal.SpiKeyState;
import dev.bulwark.detect.spi.DetectState;
import dev.bulwark.detect.spi.DetectionListener;
import dev.bulwark.detect.spi.LocationResolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Windowed detectors over a stream of {@link ActivityEvent}s, each event assessed as it arrives:
 *
 * <ul>
 *   <li>brute force: failures per account in a window (velocity) and their ratio to attempts;
 *   <li>password spraying: distinct accounts failing from one source;
 *   <li>distributed credential stuffing: a global failure-rate baseline (EWMA of one-minute
 *       counts with a deviation threshold); while the last minute's failures (the 60 one-second
 *       buckets ending with the event's) exceed it, logins from a network or device the account
 *       never succeeded from are flagged;
 *   <li>new device, network or country for an account (after its first success), through the
 *       host's {@link LocationResolver};
 *   <li>impossible travel: two successful logins further apart (less both locations' accuracy)
 *       than the travel speed allows;
 *   <li>MFA fatigue: second-factor requests per account in a window;
 *   <li>session theft: a session used from another user-agent family or, through the resolver,
 *       another country (HIGH) than it was created in, or only from another network (LOW);
 *   <li>sign-up bursts per source.
 * </ul>
 *
 * Each event gets a {@link RiskLevel} (the highest of its findings) and the host's
 * {@link ResponsePolicy} response (step-up, not lockout, by default). In shadow mode the response
 * is always ALLOW and the policy's choice is reported in {@link Assessment#wouldRespond()}.
 * Assessments with findings go to the {@link DetectionListener} (the host's audit log).
 *
 * <p><b>Time.</b> Windows run on the events' own times, so they are exact under the host's clock
 * and a replay of stored events gives the same results: a window of width W at time t holds the
 * events in {@code (t - W, t]}. Events are expected in time order (per account and source);
 * an older event counts as if it arrived at the newest time seen. The fleet's failure rate is
 * counted per second of event time (exact at second boundaries, the same in every state).
 *
 * <p><b>State.</b> Windows, distinct-account sets, the devices, networks and countries an
 * account succeeded from, its last location and each session's first client live in a
 * {@link DetectState}: by default an {@link InMemoryDetectState} of this node
 * ({@link Thresholds#maxTrackedKeys()} keys per kind; roughly 1 KiB per account; a forgotten
 * account starts over), or a shared one ({@code JdbcDetectState}, {@code RedisDetectState}) so
 * that several nodes see one picture: a brute force, spray or credential-stuffing wave spread over
 * nodes is counted as if it reached one. Learned state is kept for {@link Builder#stateRetention}
 * (90 days). The global failure-rate baseline is shared too: one failure counter per second for the
 * fleet, and one baseline record per minute that the first node to reach the minute computes and
 * every other node adopts.
 *
 * <p><b>Faults.</b> An event with missing fields skips the detectors that need them. A resolver
 * or listener that throws is counted; the event is still assessed by every other detector. A
 * state that cannot answer ({@link DetectStoreException}, or any other exception from the state)
 * fails towards risk, never towards silence: the detectors that need the state stop for this
 * event, which gets a {@code state_unavailable} finding ({@link Detection#DETECTOR_ERROR}) at the
 * level of {@link Builder#onStateFailure} (MEDIUM by default, so the default policy steps up), is
 * counted ({@link #stateFailures()}) and goes to the listener like any other finding.
 *
 * <p>Thread-safe: each state step is atomic (in memory, the steps of one event on one key run
 * under that key's stripe lock).
 */
public final class Detector {

  private final Thresholds th;
  private final LocationResolver resolver;
  private final ResponsePolicy policy;
  private final boolean shadow;
  private final DetectionListener listener;

  private final DetectState state;
  /** The state when it is this JVM's: the detector then takes each key's lock once per event. */
  private final InMemoryDetectState memory;
  private final long retentionMillis;
  private final long accountWindowMillis;
  private final long sourceWindowMillis;
  private final long mfaWindowMillis;
  private final long signupWindowMillis;
  // The windows as the findings' details name them (" window=PT15M"), written once.
  private final String accountWindowText;
  private final String sourceWindowText;
  private final String mfaWindowText;
  private final String signupWindowText;
  private final RiskLevel stateFailureLevel;
  private final GlobalBaseline global;

  private final LongAdder assessed = new LongAdder();
  private final LongAdder flagged = new LongAdder();
  private final LongAdder resolverFailures = new LongAdder();
  private final LongAdder listenerFailures = new LongAdder();
  private final LongAdder stateFailures = new LongAdder();

  private Detector(Builder b) {
    this.th = b.thresholds;
    this.resolver = b.resolver;
    this.policy = b.policy;
    this.shadow = b.shadow;
    this.listener = b.listener;
    this.state = b.state != null ? b.state : new InMemoryDetectState(th.maxTrackedKeys());
    this.memory = state instanceof InMemoryDetectState m ? m : null;
    this.accountWindowMillis = th.accountWindow().toMillis();
    this.sourceWindowMillis = th.sourceWindow().toMillis();
    this.mfaWindowMillis = th.mfaWindow().toMillis();
    this.signupWindowMillis = th.signupWindow().toMillis();
    this.accountWindowText = " window=" + th.accountWindow();
    this.sourceWindowText = " window=" + th.sourceWindow();
    this.mfaWindowText = " window=" + th.mfaWindow();
    this.signupWindowText = " window=" + th.signupWindow();
    this.retentionMillis = b.retention.toMillis();
    this.stateFailureLevel = b.stateFailureLevel;
    this.global = new GlobalBaseline();
  }

  /** A detector with the default thresholds, no resolver, the default policy, not in shadow mode. */
  public static Builder builder() {
    return new Builder();
  }

  /** Assesses {@code event}, updates the windows and tells the listener about findings. */
  public Assessment assess(ActivityEvent event) {
    Objects.requireNonNull(event, "event");
    assessed.increment();
    long t = event.at().toEpochMilli();
    List<RiskReason> findings = new ArrayList<>(2);
    try {
      switch (event.kind()) {
        case LOGIN_FAILURE, LOGIN_SUCCESS -> login(event, t, findings);
        case MFA_CHALLENGE -> mfa(event, t, findings);
        case SESSION_USE -> sessionUse(event, findings);
        case SIGNUP -> signup(event, t, findings);
        default -> {
          // MFA outcomes only matter through the challenges that preceded them.
        }
      }
    } catch (RuntimeException ex) {
      // Only the state throws here (resolver failures are caught where it is called): fail towards risk.
      stateFailures.increment();
      findings.add(new RiskReason("state_unavailable", Detection.DETECTOR_ERROR, stateFailureLevel,
          "detection state failed: " + ex.getClass().getSimpleName()));
    }
    RiskLevel level = RiskLevel.NONE;
    for (RiskReason f : findings) {
      if (f.level().compareTo(level) > 0) {
        level = f.level();
      }
    }
    Response would = policy.responseFor(level);
    Assessment a = new Assessment(event, level, findings.isEmpty() ? List.of() : findings,
        shadow ? Response.ALLOW : would, shadow, would);
    if (!findings.isEmpty()) {
      flagged.increment();
      if (listener != null) {
        try {
          listener.detected(a);
        } catch (RuntimeException e) {
          listenerFailures.increment();
        }
      }
    }
    return a;
  }

  /** Events assessed so far. */
  public long assessedCount() {
    return assessed.sum();
  }

  /** Events with at least one finding so far. */
  public long flaggedCount() {
    return flagged.sum();
  }

  /** Times the resolver threw. */
  public long resolverFailures() {
    return resolverFailures.sum();
  }

  /** Times the listener threw. */
  public long listenerFailures() {
    return listenerFailures.sum();
  }

  /** Events assessed without their state because the {@link DetectState} failed. */
  public long stateFailures() {
    return stateFailures.sum();
  }

  // ---- logins --------------------------------------------------------------------------------

  /** The items of {@code key}: in memory one locked entry for all of them, else one SPI call per step. */
  private KeyState open(int item, String key, boolean create) {
    return memory != null ? memory.open(item, key, create) : new SpiKeyState(state, key);
  }

  private void login(ActivityEvent e, long t, List<RiskReason> out) {
    boolean success = e.kind() == EventKind.LOGIN_SUCCESS;
    // A failure needs its network only while the fleet sees a spike.
    String net = success ? Clients.network(e.source()) : null;
    Location loc = null;
    if (success && e.account() != null && e.source() != null) {
      try {
        loc = resolver.locate(e.source()).orElse(null);
      } catch (RuntimeException ex) {
        resolverFailures.increment();
        out.add(new RiskReason("resolver_error", Detection.DETECTOR_ERROR, RiskLevel.LOW,
            "resolver threw " + ex.getClass().getSimpleName()));
      }
    }
    int spike = global.observe(t, !success);
    boolean knownClient = true;
    if (e.account() != null) {
      try (KeyState acct = open(Items.FAILURES, e.account(), true)) {
        if (spike > 0) {
          if (net == null) {
            net = Clients.network(e.source());
          }
          knownClient = (net != null && acct.hasMember(Items.NETWORKS, net))
              || (e.deviceId() != null && acct.hasMember(Items.DEVICES, e.deviceId()));
        }
        account(acct, e, t, success, net, loc, out);
      }
    }
    if (e.source() != null && e.account() != null) {
      try (KeyState src = open(Items.SPRAY, e.source(), !success)) {
        source(src, e, t, success, out);
      }
    }
    if (spike > 0 && !knownClient) {
      out.add(new RiskReason("global_failure_spike", Detection.CREDENTIAL_STUFFING, RiskLevel.MEDIUM,
          "failures_last_minute=" + spike + " client_new_for_account"));
    }
    if (success && e.sessionId() != null) {
      SessionClient mine = new SessionClient(net, Clients.uaFamily(e.userAgent()), loc == null ? null : loc.country());
      try (KeyState session = open(Items.SESSIONS, e.sessionId(), true)) {
        session.putIfAbsent(Items.SESSIONS, mine, SessionClient.PACKING, retentionMillis);
      }
    }
  }

  private void account(KeyState acct, ActivityEvent e, long t, boolean success, String net, Location loc,
      List<RiskReason> out) {
    long width = accountWindowMillis;
    int failures;
    int successes;
    if (success) {
      failures = acct.countEvents(Items.FAILURES, t, width);
      successes = acct.addEvent(Items.SUCCESSES, t, width, 16);
    } else {
      failures = acct.addEvent(Items.FAILURES, t, width, th.accountFailuresHigh() + 1);
      successes = failures >= th.accountFailuresMedium() ? acct.countEvents(Items.SUCCESSES, t, width) : 0;
    }
    int before = out.size();
    if (failures >= th.accountFailuresHigh()) {
      out.add(new RiskReason("account_failure_velocity", Detection.BRUTE_FORCE, RiskLevel.HIGH,
          "failures=" + failures + accountWindowText));
    } else if (failures >= th.accountFailuresMedium()) {
      int attempts = failures + successes;
      boolean ratio = attempts >= th.ratioMinAttempts() && failures >= th.failureRatio() * attempts;
      out.add(new RiskReason(ratio ? "account_failure_ratio" : "account_failure_velocity", Detection.BRUTE_FORCE,
          ratio ? RiskLevel.HIGH : RiskLevel.MEDIUM, "failures=" + failures + " attempts=" + attempts
              + accountWindowText));
    }
    if (!success) {
      return;
    }
    Profile p = acct.get(Items.PROFILES, Profile.PACKING);
    String country = loc == null ? null : loc.country();
    boolean knownNetwork = false;
    if (p != null) {
      boolean newDevice = e.deviceId() != null && !acct.hasMember(Items.DEVICES, e.deviceId());
      knownNetwork = net != null && acct.hasMember(Items.NETWORKS, net);
      boolean newNetwork = net != null && !knownNetwork;
      boolean newCountry = country != null && !acct.hasMember(Items.COUNTRIES, country);
      if (newCountry && newDevice) {
        out.add(new RiskReason("new_country_and_device", Detection.NEW_CONTEXT, RiskLevel.MEDIUM, "country=" + country));
      } else {
        if (newDevice) {
          out.add(new RiskReason("new_device", Detection.NEW_CONTEXT, RiskLevel.LOW, "device_new_for_account"));
        }
        if (newNetwork) {
          out.add(new RiskReason("new_network", Detection.NEW_CONTEXT, RiskLevel.LOW, "network=" + net));
        }
        if (newCountry) {
          out.add(new RiskReason("new_country", Detection.NEW_CONTEXT, RiskLevel.LOW, "country=" + country));
        }
      }
    }
    boolean travel = false;
    if (loc != null && p != null && p.location != null) {
      Location last = p.location;
      double distance = loc.distanceKm(last) - loc.accuracyKm() - last.accuracyKm();
      if (distance > th.travelMinDistanceKm()) {
        double hours = Math.max(t - p.locationAt, 1) / 3_600_000.0;
        double speed = distance / hours;
        if (speed > th.travelSpeedKmh()) {
          travel = true;
          out.add(new RiskReason("impossible_travel", Detection.IMPOSSIBLE_TRAVEL, RiskLevel.HIGH,
              String.format(Locale.ROOT, "speed_kmh=%.0f distance_km=%.0f", speed, distance)));
        }
      }
    }
    boolean risky = false;
    for (int i = before; i < out.size(); i++) {
      risky |= out.get(i).level().compareTo(RiskLevel.MEDIUM) >= 0;
    }
    if (!risky && !travel) {
      learn(acct, p, e.deviceId(), net, knownNetwork, country, loc, t);
    }
  }

  /**
   * Learns from a clean success. The first success of an account is learned at once; later, a
   * network the account never used becomes known (with its device, country and location) only at
   * its second clean success, so one unflagged attacker login does not move the account's
   * baseline (and the real user's next login is not measured against the attacker's location).
   * {@code knownNetwork}: whether the account's networks hold {@code net}, as just looked up (with a profile).
   */
  private void learn(KeyState acct, Profile p, String device, String net, boolean knownNetwork, String country,
      Location loc, long t) {
    boolean confirmed = p == null || net == null || net.equals(p.pendingNetwork) || knownNetwork;
    if (!confirmed) {
      acct.put(Items.PROFILES, new Profile(net, p.location, p.locationAt), Profile.PACKING, retentionMillis);
      return;
    }
    if (device != null) {
      acct.addMember(Items.DEVICES, device, t, retentionMillis, 16);
    }
    if (net != null) {
      acct.addMember(Items.NETWORKS, net, t, retentionMillis, 16);
    }
    if (country != null) {
      acct.addMember(Items.COUNTRIES, country, t, retentionMillis, 8);
    }
    Profile next = loc != null ? new Profile(null, loc, t)
        : p == null ? Profile.EMPTY : p.pendingNetwork == null ? p : new Profile(null, p.location, p.locationAt);
    acct.put(Items.PROFILES, next, Profile.PACKING, retentionMillis); // also keeps a shared record from expiring
  }

  private void source(KeyState src, ActivityEvent e, long t, boolean success, List<RiskReason> out) {
    long width = sourceWindowMillis;
    int distinct = success ? src.countMembers(Items.SPRAY, t, width)
        : src.addMember(Items.SPRAY, e.account(), t, width, th.sourceDistinctAccounts() * 4);
    if (distinct >= th.sourceDistinctAccounts()) {
      out.add(new RiskReason("source_distinct_accounts", Detection.PASSWORD_SPRAYING, RiskLevel.HIGH,
          "accounts=" + distinct + sourceWindowText));
    }
  }

  // ---- other events --------------------------------------------------------------------------

  private void mfa(ActivityEvent e, long t, List<RiskReason> out) {
    if (e.account() == null) {
      return;
    }
    int n;
    try (KeyState acct = open(Items.MFA, e.account(), true)) {
      n = acct.addEvent(Items.MFA, t, mfaWindowMillis, th.mfaChallenges() + 1);
    }
    if (n >= th.mfaChallenges()) {
      out.add(new RiskReason("mfa_fatigue", Detection.MFA_FATIGUE, RiskLevel.HIGH,
          "challenges=" + n + mfaWindowText));
    }
  }

  private void sessionUse(ActivityEvent e, List<RiskReason> out) {
    if (e.sessionId() == null) {
      return;
    }
    String ua = Clients.uaFamily(e.userAgent());
    SessionClient first;
    try (KeyState session = open(Items.SESSIONS, e.sessionId(), true)) {
      // In memory a known session is read without making a client to offer; a shared state takes one step.
      first = memory != null ? session.get(Items.SESSIONS, SessionClient.PACKING) : null;
      if (first == null) {
        first = session.putIfAbsent(Items.SESSIONS, new SessionClient(Clients.network(e.source()), ua, null),
            SessionClient.PACKING, retentionMillis);
      }
    }
    if (!first.uaFamily.equals(ua)) {
      out.add(new RiskReason("session_new_client", Detection.SESSION_THEFT, RiskLevel.HIGH,
          "user_agent_family=" + ua + " created_with=" + first.uaFamily));
    } else if (e.source() != null && first.network != null && !Clients.inNetwork(e.source(), first.network)) {
      String net = Clients.network(e.source());
      String country = null;
      if (first.country != null) {
        try {
          country = resolver.locate(e.source()).map(Location::country).orElse(null);
        } catch (RuntimeException ex) {
          resolverFailures.increment();
          out.add(new RiskReason("resolver_error", Detection.DETECTOR_ERROR, RiskLevel.LOW,
              "resolver threw " + ex.getClass().getSimpleName()));
        }
      }
      if (country != null && !country.equals(first.country)) {
        out.add(new RiskReason("session_new_country", Detection.SESSION_THEFT, RiskLevel.HIGH,
            "country=" + country + " created_in=" + first.country));
      } else {
        out.add(new RiskReason("session_new_network", Detection.SESSION_THEFT, RiskLevel.LOW, "network=" + net));
      }
    }
  }

  private void signup(ActivityEvent e, long t, List<RiskReason> out) {
    if (e.source() == null) {
      return;
    }
    int n;
    try (KeyState src = open(Items.SIGNUPS, e.source(), true)) {
      n = src.addEvent(Items.SIGNUPS, t, signupWindowMillis, th.signupsPerSource() + 1);
    }
    if (n >= th.signupsPerSource()) {
      out.add(new RiskReason("source_signup_burst", Detection.SIGNUP_ABUSE, RiskLevel.MEDIUM,
          "signups=" + n + signupWindowText));
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  /**
   * What an account learned besides its sets: a network seen at one clean success (learned at its
   * second) and the location of the last learned login. Its presence means the account has history.
   * Immutable (an in-memory state keeps it as it is).
   */
  private record Profile(String pendingNetwork, Location location, long locationAt) {

    static final Profile EMPTY = new Profile(null, null, 0);

    static final Packing<Profile> PACKING = new Packing<>() {
      @Override
      public String pack(Profile p) {
        return p.encode();
      }

      @Override
      public Profile unpack(String text) {
        return decode(text);
      }
    };

    String encode() {
      if (location == null) {
        return Fields.join(pendingNetwork, null, null, null, null, null, null);
      }
      // Doubles as the hex of their bits: exact, and cheaper to write and read than decimal text.
      return Fields.join(pendingNetwork, bits(location.latitude()), bits(location.longitude()),
          bits(location.accuracyKm()), location.country(), location.network(), Long.toString(locationAt));
    }

    private static String bits(double d) {
      return Long.toHexString(Double.doubleToRawLongBits(d));
    }

    private static double unbits(String hex) {
      return Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16));
    }

    static Profile decode(String s) {
      try {
        List<String> f = Fields.split(s, 7);
        if (f.get(1) == null) {
          return new Profile(f.get(0), null, 0);
        }
        Location l = new Location(unbits(f.get(1)), unbits(f.get(2)), unbits(f.get(3)), f.get(4), f.get(5));
        return new Profile(f.get(0), l, Long.parseLong(f.get(6)));
      } catch (RuntimeException e) {
        throw new DetectStoreException("the detection state holds an unreadable account profile", e);
      }
    }
  }

  /** The client a session was first used from. Immutable. */
  private record SessionClient(String network, String uaFamily, String country) {

    SessionClient {
      Objects.requireNonNull(uaFamily, "uaFamily");
    }

    static final Packing<SessionClient> PACKING = new Packing<>() {
      @Override
      public String pack(SessionClient c) {
        return Fields.join(c.network, c.uaFamily, c.country);
      }

      @Override
      public SessionClient unpack(String s) {
        try {
          List<String> f = Fields.split(s, 3);
          if (f.get(1) == null) {
            throw new IllegalArgumentException("no user agent family");
          }
          return new SessionClient(f.get(0), f.get(1), f.get(2));
        } catch (RuntimeException e) {
          throw new DetectStoreException("the detection state holds an unreadable session record", e);
        }
      }
    };
  }

  /**
   * The global failure baseline, shared through the state: the fleet's failures are counted per
   * second ({@link Items#GLOBAL_FAILURES}, one counter every node adds to), "the last minute" is the
   * 60 one-second buckets ending with the event's, and the baseline is an EWMA of completed
   * one-minute counts and of their squared deviation. The baseline in force during a minute is one
   * record per minute ({@link Items#GLOBAL_BASELINE}): the first node to reach the minute folds the
   * counts of the minutes before it into the previous baseline and stores the result with
   * {@code putIfAbsent}; every other node adopts what won, so all nodes judge a minute against the
   * same baseline. A node that starts or was idle picks up the fleet's latest record.
   */
  private final class GlobalBaseline {
    private static final String COUNTER_KEY = "all";
    private static final String LATEST = "latest";
    private static final long SECOND = 1_000;
    private static final long MINUTE = 60_000;
    /** Buckets and baseline records are kept three hours: longer than the two hours a spike may last unlearned. */
    private static final long KEEP = 3 * 3_600_000L;
    /** A baseline catches up at most this many minutes; after a longer silence it carries on from where it was. */
    private static final int MAX_CLOSES = 120;

    private final Packing<Baseline> packing = new Packing<>() {
      @Override
      public String pack(Baseline b) {
        return Fields.join(Long.toString(b.minute), Long.toHexString(Double.doubleToRawLongBits(b.mean)),
            Long.toHexString(Double.doubleToRawLongBits(b.variance)), Long.toString(b.minutes),
            Integer.toString(b.skipped));
      }

      @Override
      public Baseline unpack(String text) {
        try {
          List<String> f = Fields.split(text, 5);
          return baseline(Long.parseLong(f.get(0)), Double.longBitsToDouble(Long.parseUnsignedLong(f.get(1), 16)),
              Double.longBitsToDouble(Long.parseUnsignedLong(f.get(2), 16)), Long.parseLong(f.get(3)),
              Integer.parseInt(f.get(4)));
        } catch (RuntimeException e) {
          throw new DetectStoreException("the detection state holds an unreadable failure baseline", e);
        }
      }
    };

    private volatile Baseline current;

    /** Records the event; returns the last minute's failures if they reach the threshold, else 0. */
    int observe(long t, boolean failure) {
      long n;
      try (KeyState g = open(Items.GLOBAL_FAILURES, COUNTER_KEY, failure)) {
        n = failure ? g.addCount(Items.GLOBAL_FAILURES, t, 1, SECOND, 60, KEEP)
            : g.sumCounts(Items.GLOBAL_FAILURES, t - 59 * SECOND, t, SECOND);
      }
      Baseline b = baselineFor(Math.floorDiv(t, MINUTE));
      return n >= b.threshold ? (int) Math.min(n, Integer.MAX_VALUE) : 0;
    }

    private Baseline baselineFor(long minute) {
      Baseline c = current;
      if (c != null && c.minute >= minute) {
        return c; // this minute's, or an older event judged by the newest baseline
      }
      synchronized (this) {
        c = current;
        if (c != null && c.minute >= minute) {
          return c;
        }
        Baseline agreed = record(Long.toString(minute));
        if (agreed == null) {
          Baseline latest = record(LATEST);
          Baseline from = c;
          if (latest != null && latest.minute < minute && (from == null || latest.minute > from.minute)) {
            from = latest;
          }
          Baseline mine = from == null || from.minute > minute ? baseline(minute, 0, 0, 0, 0) : fold(from, minute);
          try (KeyState k = open(Items.GLOBAL_BASELINE, Long.toString(minute), true)) {
            agreed = k.putIfAbsent(Items.GLOBAL_BASELINE, mine, packing, KEEP);
          }
          try (KeyState k = open(Items.GLOBAL_BASELINE, LATEST, true)) {
            k.put(Items.GLOBAL_BASELINE, agreed, packing, KEEP);
          }
        }
        current = agreed;
        return agreed;
      }
    }

    private Baseline record(String key) {
      try (KeyState k = open(Items.GLOBAL_BASELINE, key, false)) {
        return k.get(Items.GLOBAL_BASELINE, packing);
      }
    }

    /** {@code b} with the completed minutes from its own up to {@code minute} closed (at most {@value #MAX_CLOSES}). */
    private Baseline fold(Baseline b, long minute) {
      int closes = 0;
      while (b.minute < minute && closes < MAX_CLOSES) {
        long count;
        try (KeyState g = open(Items.GLOBAL_FAILURES, COUNTER_KEY, false)) {
          count = g.sumCounts(Items.GLOBAL_FAILURES, b.minute * MINUTE, b.minute * MINUTE + MINUTE - 1, SECOND);
        }
        b = close(b, count);
        closes++;
      }
      return b.minute == minute ? b : baseline(minute, b.mean, b.variance, b.minutes, b.skipped);
    }

    private Baseline close(Baseline b, long count) {
      if (b.minutes >= th.globalWarmupMinutes() && count >= b.threshold && b.skipped < 120) {
        // A spike does not teach the baseline that spikes are normal; a level that lasts two hours does.
        return baseline(b.minute + 1, b.mean, b.variance, b.minutes, b.skipped + 1);
      }
      double a = th.globalAlpha();
      double d = count - b.mean;
      double mean = b.mean + a * d;
      double variance = (1 - a) * (b.variance + a * d * d);
      return baseline(b.minute + 1, mean, variance, b.minutes + 1, 0);
    }

    private Baseline baseline(long minute, double mean, double variance, long minutes, int skipped) {
      double floor = th.globalMinFailuresPerMinute();
      double threshold = minutes < th.globalWarmupMinutes() ? floor
          : Math.max(floor, mean + th.globalSigmas() * Math.sqrt(variance));
      return new Baseline(minute, mean, variance, minutes, skipped, threshold);
    }
  }

  /**
   * The failure baseline in force during {@code minute}: the EWMA of the one-minute failure counts
   * before it, {@code minutes} of them learned, {@code skipped} spike minutes in a row not learned.
   */
  private record Baseline(long minute, double mean, double variance, long minutes, int skipped, double threshold) {}

  /** Options; {@link #build()} validates them. */
  public static final class Builder {
    private Thresholds thresholds = Thresholds.DEFAULTS;
    private LocationResolver resolver = LocationResolver.NONE;
    private ResponsePolicy policy = ResponsePolicy.DEFAULT;
    private boolean shadow;
    private DetectionListener listener;
    private DetectState state;
    private Duration retention = Duration.ofDays(90);
    private RiskLevel stateFailureLevel = RiskLevel.MEDIUM;

    private Builder() {}

    /**
     * Where the detectors keep their state (default: an {@link InMemoryDetectState} of
     * {@link Thresholds#maxTrackedKeys()} keys per kind). Give every node the same shared state
     * (a {@code JdbcDetectState} or {@code RedisDetectState} on one server) so they see one picture.
     */
    public Builder state(DetectState s) {
      this.state = Objects.requireNonNull(s, "state");
      return this;
    }

    /**
     * How long learned state (an account's devices, networks, countries, last location; a
     * session's first client) is kept after it was last written (default 90 days).
     *
     * @throws IllegalArgumentException unless between 1 minute and 10 years
     */
    public Builder stateRetention(Duration d) {
      Objects.requireNonNull(d, "retention");
      if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofDays(3650)) > 0) {
        throw new IllegalArgumentException("stateRetention must be between 1 minute and 10 years");
      }
      this.retention = d;
      return this;
    }

    /**
     * The level of the {@code state_unavailable} finding an event gets when the state fails
     * (default MEDIUM: the default policy steps up). NONE is refused: a state outage must not
     * look like a quiet event.
     */
    public Builder onStateFailure(RiskLevel level) {
      Objects.requireNonNull(level, "level");
      if (level == RiskLevel.NONE) {
        throw new IllegalArgumentException("a state failure is at least LOW");
      }
      this.stateFailureLevel = level;
      return this;
    }

    public Builder thresholds(Thresholds t) {
      this.thresholds = Objects.requireNonNull(t, "thresholds");
      return this;
    }

    /** Where addresses are (default: nowhere; the location detectors stay silent). */
    public Builder resolver(LocationResolver r) {
      this.resolver = Objects.requireNonNull(r, "resolver");
      return this;
    }

    public Builder policy(ResponsePolicy p) {
      this.policy = Objects.requireNonNull(p, "policy");
      return this;
    }

    /** Only record: every response is ALLOW (the policy's choice is still reported). */
    public Builder shadow(boolean on) {
      this.shadow = on;
      return this;
    }

    /** Receives assessments with findings (the host's audit log). */
    public Builder listener(DetectionListener l) {
      this.listener = Objects.requireNonNull(l, "listener");
      return this;
    }

    public Detector build() {
      return new Detector(this);
    }
  }
}
