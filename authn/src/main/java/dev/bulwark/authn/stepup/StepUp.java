package dev.bulwark.authn.stepup;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.internal.Events;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a session may perform an operation that carries a {@link StepUpRequirement}, and
 * if not, which factor the user must verify.
 *
 * <p>Which factors count as "strong" for a level:
 *
 * <ul>
 *   <li>AAL3: {@link Factor#WEBAUTHN} (a hardware-bound, phishing-resistant authenticator);
 *   <li>AAL2: any factor other than a password ({@code WEBAUTHN}, {@code TOTP},
 *       {@code RECOVERY_CODE}, {@code FEDERATED}), i.e. the second factor;
 *   <li>AAL1: any factor.
 * </ul>
 *
 * <p>The recency check uses the latest verification time of a strong factor, so re-entering a
 * password never refreshes an AAL2 requirement. An elevation recorded by
 * {@code Sessions.elevate} ends at its deadline without any action: the next check answers
 * {@link StepUpDecision.Required} again. Stateless and thread-safe; emits
 * {@code authz_stepup_required} for every {@code Required} answer.
 */
public final class StepUp {

  private final InstantSource clock;
  private final SecurityEventListener listener;

  public StepUp(InstantSource clock, SecurityEventListener listener) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** Checks {@code session} against {@code requirement}, not knowing the user's enrolled factors. */
  public StepUpDecision check(Session session, StepUpRequirement requirement) {
    return check(session, requirement, EnumSet.allOf(Factor.class));
  }

  /**
   * Checks {@code session} against {@code requirement}; the factors in a {@code Required} answer
   * are limited to {@code enrolled}.
   */
  public StepUpDecision check(Session session, StepUpRequirement requirement, Set<Factor> enrolled) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(requirement, "requirement");
    Objects.requireNonNull(enrolled, "enrolled");
    Instant now = clock.instant();
    AssuranceLevel target = requirement.minimumLevel();
    AssuranceLevel current = session.levelAt(now);
    if (!current.satisfies(target)) {
      return required(session, StepUpDecision.Reason.LEVEL_TOO_LOW, target, toReach(target, session), enrolled, now);
    }
    Optional<Instant> lastStrong = lastStrong(session, target);
    Instant freshUntil = lastStrong.map(t -> t.plus(requirement.maxAge())).orElse(Instant.MIN);
    if (!now.isBefore(freshUntil)) {
      List<Factor> again = new ArrayList<>();
      for (Factor f : preference(target)) {
        if (session.factors().containsKey(f)) {
          again.add(f);
        }
      }
      for (Factor f : preference(target)) {
        if (!again.contains(f)) {
          again.add(f);
        }
      }
      return required(session, StepUpDecision.Reason.AUTHENTICATION_TOO_OLD, target, again, enrolled, now);
    }
    Instant until = earliest(freshUntil, session.absoluteDeadline(), session.idleDeadline());
    if (!session.assuranceLevel().satisfies(target)) {
      // Only the elevation carries the session to the target: it ends when the elevation does.
      until = earliest(until, session.elevation().map(Session.Elevation::until).orElse(now));
    }
    return new StepUpDecision.Allowed(until);
  }

  private StepUpDecision required(Session session, StepUpDecision.Reason reason, AssuranceLevel target,
      List<Factor> candidates, Set<Factor> enrolled, Instant now) {
    List<Factor> usable = new ArrayList<>();
    for (Factor f : candidates) {
      if (enrolled.contains(f)) {
        usable.add(f);
      }
    }
    StepUpDecision.Reason why = usable.isEmpty() ? StepUpDecision.Reason.NO_SUITABLE_FACTOR : reason;
    Events.emit(listener, SecurityEventType.STEP_UP_REQUIRED, session.userId(), now, Map.of(
        "session_id", session.id(), "reason", why.name(), "target", target.name(),
        "factor", usable.isEmpty() ? "none" : usable.get(0).name()));
    return new StepUpDecision.Required(why, target, usable);
  }

  /** Factors that would bring {@code session} to {@code target}, preferred first. */
  private static List<Factor> toReach(AssuranceLevel target, Session session) {
    List<Factor> out = new ArrayList<>();
    for (Factor f : preference(target)) {
      // A factor already verified in this session adds nothing new unless it is re-verified for AAL3.
      if (target == AssuranceLevel.AAL3 || !session.factors().containsKey(f)) {
        out.add(f);
      }
    }
    return out;
  }

  private static List<Factor> preference(AssuranceLevel target) {
    switch (target) {
      case AAL3:
        return List.of(Factor.WEBAUTHN);
      case AAL2:
        return List.of(Factor.WEBAUTHN, Factor.TOTP, Factor.RECOVERY_CODE);
      default:
        return List.of(Factor.WEBAUTHN, Factor.PASSWORD, Factor.TOTP, Factor.FEDERATED);
    }
  }

  private static boolean strongFor(Factor f, AssuranceLevel target) {
    switch (target) {
      case AAL3:
        return f == Factor.WEBAUTHN;
      case AAL2:
        return f != Factor.PASSWORD;
      default:
        return true;
    }
  }

  /**
   * The latest verification of a factor strong for {@code target} that also proved at least
   * {@code target} (a synced passkey, which proved AAL2, never refreshes an AAL3 requirement).
   */
  private static Optional<Instant> lastStrong(Session session, AssuranceLevel target) {
    return session.factors().entrySet().stream()
        .filter(e -> strongFor(e.getKey(), target)
            && session.provenLevel(e.getKey()).orElse(AssuranceLevel.AAL1).satisfies(target))
        .map(Map.Entry::getValue)
        .max(Instant::compareTo);
  }

  private static Instant earliest(Instant... ts) {
    Instant min = ts[0];
    for (Instant t : ts) {
      if (t.isBefore(min)) {
        min = t;
      }
    }
    return min;
  }
}
