package dev.bulwark.spring.security;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.stepup.StepUpDecision;
import dev.bulwark.authn.stepup.StepUpRequirement;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;

/**
 * Step-up re-authentication as an {@link AuthorizationManager}: grants only a
 * {@link BulwarkAuthentication} whose Bulwark session is still live and satisfies the requirement
 * (level and age of the strongest factor) by Bulwark's {@code StepUp} check; anything else is
 * refused with a {@link StepUpRequiredDecision}. The session is read fresh from {@link Sessions} on
 * each check, so a revoked or expired session is refused at once and a step-up elevation counts
 * as soon as it is stored.
 *
 * <p>Two uses: {@link #of(Sessions, dev.bulwark.authn.stepup.StepUp, StepUpRequirement)} for a
 * fixed requirement (e.g. on a request matcher), and {@link #annotated} for methods marked
 * {@link StepUp} (methods without it are granted). Thread-safe.
 */
public final class StepUpAuthorizationManager<T> implements AuthorizationManager<T> {

  private final Sessions sessions;
  private final dev.bulwark.authn.stepup.StepUp stepUp;
  private final java.util.function.Function<T, Optional<StepUpRequirement>> requirement;

  private StepUpAuthorizationManager(Sessions sessions, dev.bulwark.authn.stepup.StepUp stepUp,
      java.util.function.Function<T, Optional<StepUpRequirement>> requirement) {
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.stepUp = Objects.requireNonNull(stepUp, "stepUp");
    this.requirement = requirement;
  }

  /** A manager that applies {@code requirement} to every object. */
  public static <T> StepUpAuthorizationManager<T> of(Sessions sessions, dev.bulwark.authn.stepup.StepUp stepUp,
      StepUpRequirement requirement) {
    Objects.requireNonNull(requirement, "requirement");
    return new StepUpAuthorizationManager<>(sessions, stepUp, o -> Optional.of(requirement));
  }

  /** A manager for method calls that applies the {@link StepUp} annotation of the method or its class. */
  public static StepUpAuthorizationManager<MethodInvocation> annotated(Sessions sessions,
      dev.bulwark.authn.stepup.StepUp stepUp) {
    return new StepUpAuthorizationManager<>(sessions, stepUp, StepUpAuthorizationManager::requirementOf);
  }

  /** The requirement a {@link StepUp} annotation states; an unparsable one is a programming error. */
  public static StepUpRequirement requirement(StepUp annotation) {
    AssuranceLevel level;
    try {
      level = AssuranceLevel.valueOf(annotation.level().strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("@StepUp level must be AAL1, AAL2 or AAL3, not '" + annotation.level() + "'", e);
    }
    Duration maxAge;
    try {
      maxAge = DurationStyle.detectAndParse(annotation.maxAge());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("@StepUp maxAge must be a duration such as 5m or 300s, not '"
          + annotation.maxAge() + "'", e);
    }
    return StepUpRequirement.of(level, maxAge);
  }

  private static Optional<StepUpRequirement> requirementOf(MethodInvocation invocation) {
    Method method = invocation.getMethod();
    Class<?> target = invocation.getThis() != null ? AopUtils.getTargetClass(invocation.getThis())
        : method.getDeclaringClass();
    Method specific = AopUtils.getMostSpecificMethod(method, target);
    StepUp a = AnnotatedElementUtils.findMergedAnnotation(specific, StepUp.class);
    if (a == null) {
      a = AnnotatedElementUtils.findMergedAnnotation(target, StepUp.class);
    }
    return Optional.ofNullable(a).map(StepUpAuthorizationManager::requirement);
  }

  @Override
  public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, T object) {
    Optional<StepUpRequirement> required = requirement.apply(object);
    if (required.isEmpty()) {
      return new AuthorizationDecision(true);
    }
    Authentication auth = authentication.get();
    if (!(auth instanceof BulwarkAuthentication bulwark)) {
      return new StepUpRequiredDecision(null, required.get().minimumLevel(), List.of());
    }
    Optional<Session> session = sessions.list(bulwark.getName()).stream()
        .filter(s -> s.id().equals(bulwark.sessionId())).findFirst();
    if (session.isEmpty()) {
      return new StepUpRequiredDecision(null, required.get().minimumLevel(), List.of());
    }
    StepUpDecision decision = stepUp.check(session.get(), required.get());
    if (decision instanceof StepUpDecision.Required r) {
      return new StepUpRequiredDecision(r.reason(), r.targetLevel(), r.factors());
    }
    return new AuthorizationDecision(true);
  }
}
