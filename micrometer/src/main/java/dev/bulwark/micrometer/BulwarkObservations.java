package dev.bulwark.micrometer;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Bridges the listener SPIs of Bulwark's modules to Micrometer's Observation API. Every
 * observation carries low-cardinality tags only ({@code outcome}, {@code factor}, {@code reason},
 * {@code type}, {@code level}): never a user, account, tenant, keyring id, address or token, so
 * the number of time series stays bounded whatever the traffic. A tag value outside the modules'
 * fixed vocabularies becomes {@code other}.
 *
 * <p>Observations (the name is the metric prefix):
 * <ul>
 *   <li>{@code bulwark.authn.login}: each login attempt's result (outcome, factor, reason);
 *   <li>{@code bulwark.authn.lockout}: an account, factor or source locked at the longest delay
 *       or disabled (factor; reason = the dimension: account, factor or source);
 *   <li>{@code bulwark.authn.stepup}: a step-up required (reason, level);
 *   <li>{@code bulwark.authn.session}: session events (type);
 *   <li>{@code bulwark.crypto.key}: key lifecycle events (type);
 *   <li>{@code bulwark.crypto.encrypt} and {@code bulwark.crypto.decrypt}: every message and stream
 *       an observed {@code Envelope} handles, timed (outcome, error, mode);
 *   <li>{@code bulwark.audit.append}: each batch written to the audit store, timed (outcome);
 *   <li>{@code bulwark.ratelimit.decision} and {@code bulwark.ratelimit.store}: rate-limit
 *       denials (outcome, reason) and store outages (type).
 * </ul>
 * Events are recorded as zero-length observations (a count per tag set); the audit append and
 * the envelope's encryptions and decryptions are timed.
 *
 * <p>Thread-safe; the listeners it returns never throw into the module that calls them.
 */
public final class BulwarkObservations {

  private static final Pattern TOKEN = Pattern.compile("[a-z0-9_]{1,40}");
  private static final Set<String> FACTORS = Set.of("password", "totp", "recovery_code", "webauthn", "federated");
  private static final Set<String> LEVELS = Set.of("aal1", "aal2", "aal3");
  private static final System.Logger LOG = System.getLogger("dev.bulwark.micrometer");

  private final ObservationRegistry registry;

  public BulwarkObservations(ObservationRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** A bounded tag value: the token lower-cased if it fits the vocabulary pattern, otherwise {@code other}. */
  static String token(String value) {
    if (value == null || value.isEmpty()) {
      return "none";
    }
    String v = value.toLowerCase(Locale.ROOT);
    return TOKEN.matcher(v).matches() ? v : "other";
  }

  private static String oneOf(String value, Set<String> allowed) {
    if (value == null) {
      return "none";
    }
    String v = value.toLowerCase(Locale.ROOT);
    return allowed.contains(v) ? v : "other";
  }

  /** The factors of a login ("password,totp") as one bounded tag value ("password+totp"). */
  static String factors(String list) {
    if (list == null || list.isEmpty()) {
      return "none";
    }
    return java.util.Arrays.stream(list.split(",")).map(f -> oneOf(f.strip(), FACTORS)).sorted().distinct()
        .reduce((a, b) -> a + "+" + b).orElse("none");
  }

  /** Records one event observation; a failing registry is logged, never thrown. */
  void event(String name, KeyValues tags) {
    try {
      Observation.createNotStarted(name, registry).lowCardinalityKeyValues(tags).start().stop();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "observation " + name + " failed: " + e);
    }
  }

  /** An authn listener: logins, lockouts, step-ups and sessions. */
  public dev.bulwark.authn.SecurityEventListener authn() {
    return e -> {
      Map<String, String> d = e.details();
      switch (e.type()) {
        case "authn_login_success", "authn_login_successafterfail" -> event("bulwark.authn.login",
            KeyValues.of("outcome", "success", "factor", factors(d.get("factors")), "reason", "none"));
        case "authn_login_fail", "authn_mfa_fail" -> event("bulwark.authn.login",
            KeyValues.of("outcome", "failure", "factor", oneOf(d.get("factor"), FACTORS),
                "reason", token(d.get("reason"))));
        case "authn_login_lock" -> event("bulwark.authn.lockout",
            KeyValues.of("factor", oneOf(d.get("factor"), FACTORS), "reason",
                oneOf(d.get("dimension"), Set.of("account", "factor", "source"))));
        case "authz_stepup_required" -> event("bulwark.authn.stepup",
            KeyValues.of("reason", token(d.get("reason")), "level", oneOf(d.get("target"), LEVELS)));
        default -> {
          if (e.type().startsWith("session_")) {
            event("bulwark.authn.session", KeyValues.of("type", token(e.type().substring("session_".length()))));
          }
        }
      }
    };
  }

  /** A crypto listener: key creation, rotation, disabling, destruction, shredding (by type only). */
  public dev.bulwark.crypto.KeyEventListener crypto() {
    return e -> event("bulwark.crypto.key", KeyValues.of("type", token(e.type().replaceFirst("^crypto_", ""))));
  }

  /**
   * An envelope observer ({@code Envelope.builder(keyrings).observer(observations.envelope())}):
   * each message or stream is an observation {@code bulwark.crypto.encrypt} or
   * {@code bulwark.crypto.decrypt}, timed from start to end, with the low-cardinality tags
   * {@code outcome} ({@code success}, {@code failure}), {@code error} ({@code none} or the failure
   * kind: {@code decryption_failed}, {@code malformed}, {@code key_unavailable}, {@code shredded},
   * {@code keyring_integrity}, {@code store}, {@code invalid_argument}, {@code io}, {@code other})
   * and {@code mode} ({@code one_shot}, {@code stream}). Never a keyring id, a context, a size or
   * the exception (its message may name a keyring). A registry that fails is logged, never thrown.
   */
  public dev.bulwark.crypto.EnvelopeObserver envelope() {
    return (operation, mode) -> {
      if (registry.isNoop()) {
        return NO_MESSAGE;   // observations are off: nothing to create, time or stop
      }
      String name = operation == dev.bulwark.crypto.EnvelopeObserver.Operation.ENCRYPT
          ? "bulwark.crypto.encrypt" : "bulwark.crypto.decrypt";
      String modeTag = mode == dev.bulwark.crypto.EnvelopeObserver.Mode.STREAM ? "stream" : "one_shot";
      Observation observation;
      try {
        observation = Observation.createNotStarted(name, registry).lowCardinalityKeyValue("mode", modeTag).start();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "observation " + name + " failed: " + e);
        return NO_MESSAGE;
      }
      return new dev.bulwark.crypto.EnvelopeObserver.Message() {
        @Override
        public void succeeded() {
          stop(observation, name, "success", "none");
        }

        @Override
        public void failed(dev.bulwark.crypto.EnvelopeObserver.Failure failure) {
          stop(observation, name, "failure", failure.name().toLowerCase(Locale.ROOT));
        }
      };
    };
  }

  private static final dev.bulwark.crypto.EnvelopeObserver.Message NO_MESSAGE =
      new dev.bulwark.crypto.EnvelopeObserver.Message() {
        @Override
        public void succeeded() {}

        @Override
        public void failed(dev.bulwark.crypto.EnvelopeObserver.Failure failure) {}
      };

  private static void stop(Observation observation, String name, String outcome, String error) {
    try {
      observation.lowCardinalityKeyValue("outcome", outcome).lowCardinalityKeyValue("error", error).stop();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "observation " + name + " failed: " + e);
    }
  }

  /** A rate-limit listener: store outages and recoveries. */
  public dev.bulwark.ratelimit.RateLimitListener rateLimitStore() {
    return e -> event("bulwark.ratelimit.store", KeyValues.of("type", token(e.type().name())));
  }

  /** Records a rate-limit decision: {@code outcome} allowed/denied and the reason. */
  public void rateLimitDecision(dev.bulwark.ratelimit.RateLimitDecision decision) {
    event("bulwark.ratelimit.decision", KeyValues.of("outcome", decision.allowed() ? "allowed" : "denied",
        "reason", token(decision.reason().name())));
  }

  /**
   * An audit store that times every batch append as {@code bulwark.audit.append}. A store that
   * keeps segments stays one (the result is a {@link dev.bulwark.audit.spi.SegmentedAuditStore}).
   */
  public dev.bulwark.audit.spi.AuditStore observe(dev.bulwark.audit.spi.AuditStore store) {
    return store instanceof dev.bulwark.audit.spi.SegmentedAuditStore s ? observe(s) : new ObservedAuditStore(store, registry);
  }

  /** A segmented audit store that times every batch append as {@code bulwark.audit.append}. */
  public dev.bulwark.audit.spi.SegmentedAuditStore observe(dev.bulwark.audit.spi.SegmentedAuditStore store) {
    return new ObservedSegmentedAuditStore(store, registry);
  }
}
