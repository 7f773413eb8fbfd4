package dev.bulwark.detect;

import dev.bulwark.detect.internal.Clients;
import dev.bulwark.detect.internal.StripedLru;
import dev.bulwark.detect.internal.TimeWindow;
import dev.bulwark.detect.spi.DetectionListener;
import dev.bulwark.detect.spi.LocationResolver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 *       counts with a deviation threshold); while the last minute's failures exceed it, logins from
 *       a network or device the account never succeeded from are flagged;
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
 * an older event counts as if it arrived at the newest time seen.
 *
 * <p><b>Memory.</b> State is kept per account, per source and per session in bounded
 * least-recently-used maps ({@link Thresholds#maxTrackedKeys()} each; roughly 1 KiB per account).
 * A forgotten account starts over (its next login from a device is not "new"; its counts restart).
 *
 * <p><b>Faults.</b> An event with missing fields skips the detectors that need them. A resolver
 * or listener that throws is counted; the event is still assessed by every other detector.
 *
 * <p>Thread-safe: state is striped by key, so logins of different accounts rarely contend.
 */
public final class Detector {

  private final Thresholds th;
  private final LocationResolver resolver;
  private final ResponsePolicy policy;
  private final boolean shadow;
  private final DetectionListener listener;

  private final StripedLru<AccountState> accounts;
  private final StripedLru<SourceState> sources;
  private final StripedLru<SessionClient> sessions;
  private final GlobalBaseline global;

  private final LongAdder assessed = new LongAdder();
  private final LongAdder flagged = new LongAdder();
  private final LongAdder resolverFailures = new LongAdder();
  private final LongAdder listenerFailures = new LongAdder();

  private Detector(Builder b) {
    this.th = b.thresholds;
    this.resolver = b.resolver;
    this.policy = b.policy;
    this.shadow = b.shadow;
    this.listener = b.listener;
    int stripes = 64;
    this.accounts = new StripedLru<>(th.maxTrackedKeys(), stripes);
    this.sources = new StripedLru<>(th.maxTrackedKeys(), stripes);
    this.sessions = new StripedLru<>(th.maxTrackedKeys(), stripes);
    this.global = new GlobalBaseline(th);
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
    switch (event.kind()) {
      case LOGIN_FAILURE, LOGIN_SUCCESS -> login(event, t, findings);
      case MFA_CHALLENGE -> mfa(event, t, findings);
      case SESSION_USE -> sessionUse(event, findings);
      case SIGNUP -> signup(event, t, findings);
      default -> {
        // MFA outcomes only matter through the challenges that preceded them.
      }
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

  // ---- logins --------------------------------------------------------------------------------

  private void login(ActivityEvent e, long t, List<RiskReason> out) {
    boolean success = e.kind() == EventKind.LOGIN_SUCCESS;
    String net = Clients.network(e.source());
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
    boolean knownClient = true;
    if (e.account() != null) {
      synchronized (accounts.lockFor(e.account())) {
        AccountState a = accounts.get(e.account(), k -> new AccountState());
        knownClient = a.knows(net, e.deviceId());
        account(a, e, t, success, net, loc, out);
      }
    }
    if (e.source() != null) {
      synchronized (sources.lockFor(e.source())) {
        SourceState s = sources.get(e.source(), k -> new SourceState());
        source(s, e, t, success, out);
      }
    }
    int spike = global.observe(t, !success);
    if (spike > 0 && !knownClient) {
      out.add(new RiskReason("global_failure_spike", Detection.CREDENTIAL_STUFFING, RiskLevel.MEDIUM,
          "failures_last_minute=" + spike + " client_new_for_account"));
    }
    if (success && e.sessionId() != null) {
      String ua = Clients.uaFamily(e.userAgent());
      String country = loc == null ? null : loc.country();
      synchronized (sessions.lockFor(e.sessionId())) {
        sessions.get(e.sessionId(), k -> new SessionClient(net, ua, country));
      }
    }
  }

  private void account(AccountState a, ActivityEvent e, long t, boolean success, String net, Location loc,
      List<RiskReason> out) {
    int failures;
    int successes;
    if (success) {
      failures = a.failures(th).count(t);
      successes = a.successes().add(t);
    } else {
      failures = a.failures(th).add(t);
      successes = a.successes == null ? 0 : a.successes.count(t);
    }
    int before = out.size();
    if (failures >= th.accountFailuresHigh()) {
      out.add(new RiskReason("account_failure_velocity", Detection.BRUTE_FORCE, RiskLevel.HIGH,
          "failures=" + failures + " window=" + th.accountWindow()));
    } else if (failures >= th.accountFailuresMedium()) {
      int attempts = failures + successes;
      boolean ratio = attempts >= th.ratioMinAttempts() && failures >= th.failureRatio() * attempts;
      out.add(new RiskReason(ratio ? "account_failure_ratio" : "account_failure_velocity", Detection.BRUTE_FORCE,
          ratio ? RiskLevel.HIGH : RiskLevel.MEDIUM, "failures=" + failures + " attempts=" + attempts
              + " window=" + th.accountWindow()));
    }
    if (!success) {
      return;
    }
    boolean history = a.hasHistory;
    String country = loc == null ? null : loc.country();
    if (history) {
      boolean newDevice = e.deviceId() != null && !a.devices.contains(e.deviceId());
      boolean newNetwork = net != null && !a.networks.contains(net);
      boolean newCountry = country != null && !a.countries.contains(country);
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
    if (loc != null && a.hasLocation) {
      double distance = loc.distanceKm(a.location) - loc.accuracyKm() - a.location.accuracyKm();
      if (distance > th.travelMinDistanceKm()) {
        double hours = Math.max(t - a.locationAt, 1) / 3_600_000.0;
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
      learn(a, e.deviceId(), net, country, loc, t);
    }
  }

  /**
   * Learns from a clean success. The first success of an account is learned at once; later, a
   * network the account never used becomes known (with its device, country and location) only at
   * its second clean success, so one unflagged attacker login does not move the account's
   * baseline (and the real user's next login is not measured against the attacker's location).
   */
  private static void learn(AccountState a, String device, String net, String country, Location loc, long t) {
    boolean confirmed = !a.hasHistory || net == null || a.networks.contains(net) || net.equals(a.pendingNetwork);
    if (!confirmed) {
      a.pendingNetwork = net;
      return;
    }
    a.hasHistory = true;
    a.pendingNetwork = null;
    AccountState.remember(a.devices, device, 16);
    AccountState.remember(a.networks, net, 16);
    AccountState.remember(a.countries, country, 8);
    if (loc != null) {
      a.location = loc;
      a.locationAt = t;
      a.hasLocation = true;
    }
  }

  private void source(SourceState s, ActivityEvent e, long t, boolean success, List<RiskReason> out) {
    if (e.account() == null) {
      return;
    }
    int distinct = success ? s.distinct(t, th) : s.addFailure(e.account(), t, th);
    if (distinct >= th.sourceDistinctAccounts()) {
      out.add(new RiskReason("source_distinct_accounts", Detection.PASSWORD_SPRAYING, RiskLevel.HIGH,
          "accounts=" + distinct + " window=" + th.sourceWindow()));
    }
  }

  // ---- other events --------------------------------------------------------------------------

  private void mfa(ActivityEvent e, long t, List<RiskReason> out) {
    if (e.account() == null) {
      return;
    }
    int n;
    synchronized (accounts.lockFor(e.account())) {
      AccountState a = accounts.get(e.account(), k -> new AccountState());
      if (a.mfa == null) {
        a.mfa = new TimeWindow(th.mfaWindow().toMillis(), th.mfaChallenges() + 1);
      }
      n = a.mfa.add(t);
    }
    if (n >= th.mfaChallenges()) {
      out.add(new RiskReason("mfa_fatigue", Detection.MFA_FATIGUE, RiskLevel.HIGH,
          "challenges=" + n + " window=" + th.mfaWindow()));
    }
  }

  private void sessionUse(ActivityEvent e, List<RiskReason> out) {
    if (e.sessionId() == null) {
      return;
    }
    String net = Clients.network(e.source());
    String ua = Clients.uaFamily(e.userAgent());
    SessionClient first;
    synchronized (sessions.lockFor(e.sessionId())) {
      first = sessions.peek(e.sessionId());
      if (first == null) {
        sessions.get(e.sessionId(), k -> new SessionClient(net, ua, null));
        return;
      }
    }
    if (!first.uaFamily.equals(ua)) {
      out.add(new RiskReason("session_new_client", Detection.SESSION_THEFT, RiskLevel.HIGH,
          "user_agent_family=" + ua + " created_with=" + first.uaFamily));
    } else if (net != null && first.network != null && !first.network.equals(net)) {
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
    synchronized (sources.lockFor(e.source())) {
      SourceState s = sources.get(e.source(), k -> new SourceState());
      if (s.signups == null) {
        s.signups = new TimeWindow(th.signupWindow().toMillis(), th.signupsPerSource() + 1);
      }
      n = s.signups.add(t);
    }
    if (n >= th.signupsPerSource()) {
      out.add(new RiskReason("source_signup_burst", Detection.SIGNUP_ABUSE, RiskLevel.MEDIUM,
          "signups=" + n + " window=" + th.signupWindow()));
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  private static final class AccountState {
    TimeWindow failures;
    TimeWindow successes;
    TimeWindow mfa;
    final LinkedHashSet<String> devices = new LinkedHashSet<>(4);
    final LinkedHashSet<String> networks = new LinkedHashSet<>(4);
    final LinkedHashSet<String> countries = new LinkedHashSet<>(2);
    boolean hasHistory;
    /** A network seen at one clean success, learned at its second. */
    String pendingNetwork;
    Location location;
    long locationAt;
    boolean hasLocation;

    TimeWindow failures(Thresholds th) {
      if (failures == null) {
        failures = new TimeWindow(th.accountWindow().toMillis(), th.accountFailuresHigh() + 1);
      }
      return failures;
    }

    TimeWindow successes() {
      if (successes == null) {
        successes = new TimeWindow(failures.widthMillis(), 16);
      }
      return successes;
    }

    boolean knows(String net, String device) {
      return (net != null && networks.contains(net)) || (device != null && devices.contains(device));
    }

    static void remember(LinkedHashSet<String> set, String v, int max) {
      if (v == null) {
        return;
      }
      set.remove(v);
      set.add(v);
      if (set.size() > max) {
        Iterator<String> it = set.iterator();
        it.next();
        it.remove();
      }
    }
  }

  private static final class SourceState {
    /** Account -> time of its latest failure from this source, oldest first. */
    LinkedHashMap<String, Long> failedAccounts;
    TimeWindow signups;

    int addFailure(String account, long t, Thresholds th) {
      if (failedAccounts == null) {
        failedAccounts = new LinkedHashMap<>();
      }
      failedAccounts.remove(account);
      failedAccounts.put(account, t);
      if (failedAccounts.size() > th.sourceDistinctAccounts() * 4) {
        Iterator<String> it = failedAccounts.keySet().iterator();
        it.next();
        it.remove();
      }
      return distinct(t, th);
    }

    int distinct(long t, Thresholds th) {
      if (failedAccounts == null) {
        return 0;
      }
      long oldestKept = t - th.sourceWindow().toMillis();
      Iterator<Long> it = failedAccounts.values().iterator();
      while (it.hasNext() && it.next() <= oldestKept) {
        it.remove();
      }
      return failedAccounts.size();
    }
  }

  private record SessionClient(String network, String uaFamily, String country) {}

  /**
   * The global failure baseline: failures in the last minute (exact sliding window) against an
   * EWMA of completed one-minute counts and of their squared deviation.
   */
  private static final class GlobalBaseline {
    private final Thresholds th;
    private final TimeWindow lastMinute = new TimeWindow(60_000, 1 << 16);
    private long minute = Long.MIN_VALUE;
    private long minuteCount;
    private double mean;
    private double variance;
    private long minutes;
    private int skipped;

    GlobalBaseline(Thresholds th) {
      this.th = th;
    }

    /** Records the event; returns the last minute's failures if they exceed the threshold, else 0. */
    synchronized int observe(long t, boolean failure) {
      long m = Math.floorDiv(t, 60_000L);
      if (minute == Long.MIN_VALUE) {
        minute = m;
      }
      if (m > minute) {
        close(minuteCount);
        for (long i = minute + 1; i < m && i < minute + 120; i++) {
          close(0);
        }
        minute = m;
        minuteCount = 0;
      }
      int n;
      if (failure) {
        minuteCount++;
        n = lastMinute.add(t);
      } else {
        n = lastMinute.count(t);
      }
      return n >= threshold() ? n : 0;
    }

    private double threshold() {
      double floor = th.globalMinFailuresPerMinute();
      if (minutes < th.globalWarmupMinutes()) {
        return floor;
      }
      return Math.max(floor, mean + th.globalSigmas() * Math.sqrt(variance));
    }

    private void close(long count) {
      double x = count;
      if (minutes >= th.globalWarmupMinutes() && count >= threshold() && skipped < 120) {
        // A spike does not teach the baseline that spikes are normal; a level that lasts two hours does.
        skipped++;
        return;
      }
      skipped = 0;
      double a = th.globalAlpha();
      double d = x - mean;
      mean += a * d;
      variance = (1 - a) * (variance + a * d * d);
      minutes++;
    }
  }

  /** Options; {@link #build()} validates them. */
  public static final class Builder {
    private Thresholds thresholds = Thresholds.DEFAULTS;
    private LocationResolver resolver = LocationResolver.NONE;
    private ResponsePolicy policy = ResponsePolicy.DEFAULT;
    private boolean shadow;
    private DetectionListener listener;

    private Builder() {}

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
