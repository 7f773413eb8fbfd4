package dev.bulwark.spring.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The method (or every method of the type) needs a recent, strong enough authentication: the
 * caller's Bulwark session must be at {@link #level} and its strongest factor must have been
 * verified within {@link #maxAge}. Enforced by {@link StepUpAuthorizationManager} before the call;
 * a refusal is a {@code StepUpRequiredDecision} that says which factors would satisfy it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface StepUp {

  /** The assurance level required: {@code AAL1}, {@code AAL2} or {@code AAL3}. */
  String level() default "AAL2";

  /** How recent the authentication must be, in Spring Boot's duration syntax ({@code 5m}, {@code 300s}). */
  String maxAge() default "5m";
}
