package dev.bulwark.spring.security;

import static dev.bulwark.spring.security.SecurityTestSupport.accounts;
import static dev.bulwark.spring.security.SecurityTestSupport.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.flow.LoginResult;
import dev.bulwark.authn.session.Sessions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

class BulwarkAuthenticationProviderTest {

  private static UsernamePasswordAuthenticationToken login(String user, String password) {
    UsernamePasswordAuthenticationToken t = UsernamePasswordAuthenticationToken.unauthenticated(user, password);
    t.setDetails(new SecondFactorDetails("203.0.113.9", null, null));
    return t;
  }

  @Test
  void rightPassword_authenticatesWithRolesLevelAndALiveSession_auditedOnce() {
    SecurityTestSupport.runner().run(context -> {
      accounts(context, "correct horse battery");
      BulwarkAuthenticationProvider provider = context.getBean(BulwarkAuthenticationProvider.class);
      Authentication auth = provider.authenticate(login("Alice", "correct horse battery"));
      assertThat(auth).isInstanceOf(BulwarkAuthentication.class);
      BulwarkAuthentication b = (BulwarkAuthentication) auth;
      assertThat(b.getName()).isEqualTo("alice");
      assertThat(b.isAuthenticated()).isTrue();
      assertThat(b.assuranceLevel()).isEqualTo(AssuranceLevel.AAL1);
      assertThat(b.factors()).containsOnlyKeys(Factor.PASSWORD);
      assertThat(b.getAuthorities()).extracting(GrantedAuthority::getAuthority).containsExactly("ROLE_editor");
      assertThat(b.getCredentials()).isEqualTo("");
      assertThat(context.getBean(Sessions.class).list("alice")).extracting(s -> s.id()).containsExactly(b.sessionId());
      // Spring's ProviderManager publishes its own success event: it must not be a second audit record.
      context.publishEvent(new AuthenticationSuccessEvent(auth));
      assertThat(count(context, "authn_login_success")).isEqualTo(1);
    });
  }

  @Test
  void wrongPasswordAndUnknownAccount_failAlike_andAreAuditedOnce() {
    SecurityTestSupport.runner().run(context -> {
      accounts(context, "correct horse battery");
      BulwarkAuthenticationProvider provider = context.getBean(BulwarkAuthenticationProvider.class);
      BulwarkAuthenticationException wrong = catchThrowableOfType(BulwarkAuthenticationException.class,
          () -> provider.authenticate(login("alice", "wrong password")));
      BulwarkAuthenticationException unknown = catchThrowableOfType(BulwarkAuthenticationException.class,
          () -> provider.authenticate(login("mallory", "wrong password")));
      assertThat(wrong.outcome()).isEqualTo(LoginResult.Outcome.FAILED);
      assertThat(unknown.outcome()).isEqualTo(LoginResult.Outcome.FAILED);
      assertThat(wrong.getMessage()).isEqualTo(unknown.getMessage());
      long before = count(context, "authn_login_fail");
      assertThat(before).isEqualTo(2);
      context.publishEvent(new AuthenticationFailureBadCredentialsEvent(login("alice", "x"), wrong));
      assertThat(count(context, "authn_login_fail")).isEqualTo(before);
      // A failure of another mechanism is audited, without the name typed.
      context.publishEvent(new AuthenticationFailureBadCredentialsEvent(login("bob", "x"),
          new BadCredentialsException("nope")));
      assertThat(count(context, "authn_login_fail")).isEqualTo(before + 1);
    });
  }

  @Test
  void repeatedFailures_lockWithARetryAfter_evenForTheRightPassword() {
    SecurityTestSupport.runner().run(context -> {
      accounts(context, "correct horse battery");
      BulwarkAuthenticationProvider provider = context.getBean(BulwarkAuthenticationProvider.class);
      BulwarkAuthenticationException last = null;
      for (int i = 0; i < 8 && (last == null || last.outcome() != LoginResult.Outcome.LOCKED); i++) {
        last = catchThrowableOfType(BulwarkAuthenticationException.class,
            () -> provider.authenticate(login("alice", "wrong password")));
      }
      assertThat(last.outcome()).isEqualTo(LoginResult.Outcome.LOCKED);
      assertThat(last.retryAfter()).isPositive();
      assertThat(RetryAfter.headerValue(last.retryAfter())).isPresent();
      BulwarkAuthenticationException locked = catchThrowableOfType(BulwarkAuthenticationException.class,
          () -> provider.authenticate(login("alice", "correct horse battery")));
      assertThat(locked.outcome()).isEqualTo(LoginResult.Outcome.LOCKED);
      context.getBean(SecurityTestSupport.Host.class).clock.advance(last.retryAfter());
      assertThat(provider.authenticate(login("alice", "correct horse battery")).isAuthenticated()).isTrue();
    });
  }

  @Test
  void adminWithoutSecondFactor_isRefusedWithEnrollmentRequired() {
    SecurityTestSupport.runner().run(context -> {
      accounts(context, "correct horse battery");
      BulwarkAuthenticationProvider provider = context.getBean(BulwarkAuthenticationProvider.class);
      assertThatThrownBy(() -> provider.authenticate(login("root", "correct horse battery")))
          .isInstanceOfSatisfying(BulwarkAuthenticationException.class,
              e -> assertThat(e.outcome()).isEqualTo(LoginResult.Outcome.SECOND_FACTOR_ENROLLMENT_REQUIRED));
      assertThat(context.getBean(Sessions.class).list("root")).isEmpty();
    });
  }

  @Test
  void theIssuedToken_isHandedToTheCookieOnce_andNeverPrintedOrSerialised() {
    SecurityTestSupport.runner().run(context -> {
      accounts(context, "correct horse battery");
      BulwarkAuthenticationProvider provider = context.getBean(BulwarkAuthenticationProvider.class);
      BulwarkAuthentication b = (BulwarkAuthentication) provider.authenticate(login("alice", "correct horse battery"));
      Sessions sessions = context.getBean(Sessions.class);
      // The roles are stored with the session: a request reads them from there.
      assertThat(sessions.list("alice")).singleElement()
          .satisfies(s -> assertThat(s.authorities()).containsExactly("ROLE_editor"));
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(b);
      }
      BulwarkSecurityContextRepository repository = new BulwarkSecurityContextRepository(sessions,
          BulwarkSessionCookie.secureDefaults(), context.getBean(SecurityTestSupport.Host.class).clock);
      org.springframework.mock.web.MockHttpServletRequest request = new org.springframework.mock.web.MockHttpServletRequest();
      org.springframework.mock.web.MockHttpServletResponse response = new org.springframework.mock.web.MockHttpServletResponse();
      org.springframework.security.core.context.SecurityContext ctx =
          new org.springframework.security.core.context.SecurityContextImpl(b);
      repository.saveContext(ctx, request, response);
      String cookie = response.getHeader("Set-Cookie");
      assertThat(cookie).startsWith(BulwarkSessionCookie.DEFAULT_NAME + "=");
      String token = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
      assertThat(sessions.validate(token).id()).isEqualTo(b.sessionId());
      assertThat(b.toString()).doesNotContain(token).contains(b.sessionId());
      assertThat(new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(token);
      // Saving again (or a copy) hands out nothing more.
      org.springframework.mock.web.MockHttpServletResponse again = new org.springframework.mock.web.MockHttpServletResponse();
      repository.saveContext(ctx, new org.springframework.mock.web.MockHttpServletRequest(), again);
      assertThat(again.getHeader("Set-Cookie")).isNull();
    });
  }

  @Test
  void retryAfter_isWholeSecondsRoundedUp() {
    assertThat(RetryAfter.headerValue(Duration.ofMillis(1500))).contains("2");
    assertThat(RetryAfter.headerValue(Duration.ofSeconds(1))).contains("1");
    assertThat(RetryAfter.headerValue(Duration.ofNanos(1))).contains("1");
    assertThat(RetryAfter.headerValue(Duration.ofMinutes(15))).contains("900");
    assertThat(RetryAfter.headerValue(Duration.ZERO)).isEmpty();
  }
}
