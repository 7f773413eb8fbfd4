package dev.bulwark.spring.autoconfigure;

import dev.bulwark.authn.flow.MfaPolicy;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.stepup.StepUp;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.spring.autoconfigure.internal.Secrets;
import dev.bulwark.spring.security.AccountLookup;
import dev.bulwark.spring.security.BulwarkSecurityContextRepository;
import dev.bulwark.spring.security.BulwarkSessionCookie;
import dev.bulwark.spring.security.BulwarkWebAuthnEndpoints;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * Bulwark sessions as Spring Security's session mechanism in a servlet application: a
 * {@link BulwarkSecurityContextRepository} over {@link Sessions} with the cookie from
 * {@code bulwark.authn.session-cookie.*}, and, when a {@link WebAuthn} service exists, the
 * {@link BulwarkWebAuthnEndpoints} that {@code BulwarkWebAuthnConfigurer} adds to a filter chain.
 * Neither is put into a filter chain here: the host's {@code SecurityFilterChain} does that (see
 * the README). Each bean backs off to the application's own.
 */
@AutoConfiguration(after = {BulwarkAuthnAutoConfiguration.class, BulwarkWebAuthnAutoConfiguration.class,
    BulwarkSecurityAutoConfiguration.class})
@ConditionalOnClass({SecurityContextRepository.class, HttpServletRequest.class, Sessions.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(BulwarkAuthnProperties.class)
public class BulwarkWebSecurityAutoConfiguration {

  static final String COOKIE = "bulwark.authn.session-cookie";

  /** The cookie the properties describe, or a start-up failure naming the wrong property. */
  static BulwarkSessionCookie cookie(BulwarkAuthnProperties.SessionCookie c, Environment env) {
    if (!c.secure() && !Secrets.development(env)) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE, COOKIE + ".secure",
          "true outside a 'dev' or 'development' profile (a session cookie sent over plain http can be stolen on "
              + "the way; browsers accept Secure cookies from http://localhost)");
    }
    try {
      return new BulwarkSessionCookie(c.name(), c.secure(), c.sameSite() == BulwarkAuthnProperties.SameSite.STRICT
          ? BulwarkSessionCookie.SameSite.STRICT : BulwarkSessionCookie.SameSite.LAX);
    } catch (IllegalArgumentException e) {
      throw Secrets.invalid(COOKIE + ".name", "a cookie name of letters, digits and !#$%&'*+-.^_`|~, without the "
          + "__Host-/__Secure- prefix when secure=false", e);
    }
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(Sessions.class)
  BulwarkSecurityContextRepository bulwarkSecurityContextRepository(Sessions sessions, BulwarkAuthnProperties props,
      Environment env, ObjectProvider<Clock> clock) {
    return new BulwarkSecurityContextRepository(sessions, cookie(props.sessionCookie(), env),
        clock.getIfUnique(Clock::systemUTC));
  }

  /** The WebAuthn endpoints, once authn's WebAuthn service exists. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "com.fasterxml.jackson.databind.json.JsonMapper")
  static class Endpoints {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({WebAuthn.class, StepUp.class, Sessions.class})
    BulwarkWebAuthnEndpoints bulwarkWebAuthnEndpoints(WebAuthn webauthn, ObjectProvider<BulwarkSecurityContextRepository>
        repository, StepUp stepUp, ObjectProvider<AccountLookup> lookup, ObjectProvider<AccountDirectory> directory,
        BulwarkAuthnProperties props, ObjectProvider<Clock> clock) {
      BulwarkSecurityContextRepository repo = repository.getIfUnique();
      if (repo == null) {
        throw new IllegalStateException("the WebAuthn endpoints need a single BulwarkSecurityContextRepository bean");
      }
      AccountLookup accounts = lookup.getIfUnique(() -> {
        AccountDirectory d = directory.getIfUnique();
        if (d == null) {
          throw new IllegalStateException("the WebAuthn endpoints need an AccountDirectory or an AccountLookup bean "
              + "(to read the roles of an account that signs in with a passkey)");
        }
        return AccountLookup.of(d);
      });
      BulwarkAuthnProperties.WebAuthnSettings w = props.webauthn();
      BulwarkWebAuthnEndpoints.Builder b = BulwarkWebAuthnEndpoints.builder(webauthn, repo, stepUp, accounts)
          .mfaPolicy(props.mfaForEveryone() ? MfaPolicy.everyone() : MfaPolicy.adminsOnly())
          .clock(clock.getIfUnique(Clock::systemUTC));
      try {
        b.registrationMaxAge(w.registrationMaxAge() == null ? Duration.ofMinutes(5) : w.registrationMaxAge());
      } catch (IllegalArgumentException e) {
        throw Secrets.invalid("bulwark.authn.webauthn.registration-max-age", "a duration from 1s to 1h", e);
      }
      try {
        b.maxRequestBytes(Math.toIntExact(Math.min(Integer.MAX_VALUE, w.maxRequestSize().toBytes())));
      } catch (IllegalArgumentException e) {
        throw Secrets.invalid("bulwark.authn.webauthn.max-request-size", "a size from 1KB to 1MB", e);
      }
      return b.build();
    }
  }
}
