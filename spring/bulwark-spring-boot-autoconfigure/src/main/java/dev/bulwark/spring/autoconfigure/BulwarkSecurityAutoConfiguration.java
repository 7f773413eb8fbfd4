package dev.bulwark.spring.autoconfigure;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.spring.security.BulwarkAuthenticationProvider;
import dev.bulwark.spring.security.BulwarkPasswordEncoder;
import dev.bulwark.spring.security.SpringSecurityAuditor;
import dev.bulwark.spring.security.StepUp;
import dev.bulwark.spring.security.StepUpAuthorizationManager;
import java.time.Clock;
import org.springframework.aop.support.Pointcuts;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authorization.method.AuthorizationManagerBeforeMethodInterceptor;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Spring Security over Bulwark: an {@link AuthenticationProvider} over the login flow, a
 * {@link PasswordEncoder} for Bulwark's Argon2id hashes that upgrades bcrypt ones, {@link StepUp}
 * enforced on annotated methods (with method security enabled), and Spring Security's events in
 * the audit log once. Each bean backs off to the application's own.
 */
@AutoConfiguration(after = {BulwarkAuthnAutoConfiguration.class, BulwarkAuditAutoConfiguration.class})
@ConditionalOnClass({AuthenticationProvider.class, LoginFlow.class})
public class BulwarkSecurityAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(PasswordEncoder.class)
  @ConditionalOnBean(PasswordHasher.class)
  PasswordEncoder bulwarkPasswordEncoder(PasswordHasher hasher) {
    return BulwarkPasswordEncoder.delegating(hasher, new BCryptPasswordEncoder());
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean({LoginFlow.class, Sessions.class})
  BulwarkAuthenticationProvider bulwarkAuthenticationProvider(LoginFlow flow, AccountDirectory accounts,
      Sessions sessions, ObjectProvider<Clock> clock) {
    return new BulwarkAuthenticationProvider(flow, accounts, sessions, clock.getIfUnique(Clock::systemUTC));
  }

  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  @ConditionalOnMissingBean(name = "bulwarkStepUpInterceptor")
  @ConditionalOnBean({Sessions.class, dev.bulwark.authn.stepup.StepUp.class})
  static AuthorizationManagerBeforeMethodInterceptor bulwarkStepUpInterceptor(ObjectProvider<Sessions> sessions,
      ObjectProvider<dev.bulwark.authn.stepup.StepUp> stepUp) {
    return new AuthorizationManagerBeforeMethodInterceptor(
        Pointcuts.union(new AnnotationMatchingPointcut(null, StepUp.class, true),
            new AnnotationMatchingPointcut(StepUp.class, true)),
        new LazyStepUp(sessions, stepUp));
  }

  /** Resolves the beans at the first check, so the infrastructure bean does not pull them in early. */
  static final class LazyStepUp implements org.springframework.security.authorization.AuthorizationManager<
      org.aopalliance.intercept.MethodInvocation> {
    private final ObjectProvider<Sessions> sessions;
    private final ObjectProvider<dev.bulwark.authn.stepup.StepUp> stepUp;
    private volatile StepUpAuthorizationManager<org.aopalliance.intercept.MethodInvocation> delegate;

    LazyStepUp(ObjectProvider<Sessions> sessions, ObjectProvider<dev.bulwark.authn.stepup.StepUp> stepUp) {
      this.sessions = sessions;
      this.stepUp = stepUp;
    }

    @Override
    public org.springframework.security.authorization.AuthorizationResult authorize(
        java.util.function.Supplier<? extends org.springframework.security.core.Authentication> authentication,
        org.aopalliance.intercept.MethodInvocation invocation) {
      StepUpAuthorizationManager<org.aopalliance.intercept.MethodInvocation> d = delegate;
      if (d == null) {
        d = StepUpAuthorizationManager.annotated(sessions.getObject(), stepUp.getObject());
        delegate = d;
      }
      return d.authorize(authentication, invocation);
    }
  }

  /** Spring Security's events into the audit log, once. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.bulwark.audit.AuditLog")
  static class Auditing {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(AuditLog.class)
    SpringSecurityAuditor bulwarkSpringSecurityAuditor(AuditLog log, ObjectProvider<Clock> clock) {
      return new SpringSecurityAuditor(log, clock.getIfUnique(Clock::systemUTC));
    }
  }
}
