package dev.bulwark.spring.security;

import static dev.bulwark.spring.security.SecurityTestSupport.accounts;
import static dev.bulwark.spring.security.SecurityTestSupport.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.stepup.StepUpDecision;
import dev.bulwark.authn.stepup.StepUpRequirement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.method.AuthorizationManagerBeforeMethodInterceptor;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

class StepUpAuthorizationManagerTest {

  /** A service whose admin operation needs a fresh AAL2 authentication. */
  public static class Admin {
    @StepUp(level = "AAL2", maxAge = "5m")
    public String deleteTenant() {
      return "deleted";
    }

    @StepUp(level = "aal1", maxAge = "5m")
    public String viewAudit() {
      return "viewed";
    }

    public String ping() {
      return "pong";
    }
  }

  @AfterEach
  void clear() {
    SecurityContextHolder.clearContext();
  }

  private static Admin proxy(AuthorizationManagerBeforeMethodInterceptor interceptor) {
    ProxyFactory f = new ProxyFactory(new Admin());
    f.setProxyTargetClass(true);
    f.addAdvisor(interceptor);
    return (Admin) f.getProxy();
  }

  private static Authentication login(org.springframework.context.ApplicationContext context) {
    return context.getBean(BulwarkAuthenticationProvider.class)
        .authenticate(UsernamePasswordAuthenticationToken.unauthenticated("alice", "correct horse battery"));
  }

  @Test
  void annotatedMethod_needsTheLevelAndARecentFactor_unannotatedPasses() {
    SecurityTestSupport.runner().run(context -> {
      accounts(context, "correct horse battery");
      Admin admin = proxy(context.getBean("bulwarkStepUpInterceptor", AuthorizationManagerBeforeMethodInterceptor.class));
      SecurityContextHolder.getContext().setAuthentication(login(context));
      assertThat(admin.ping()).isEqualTo("pong");
      assertThat(admin.viewAudit()).isEqualTo("viewed");
      // A password login is AAL1: the AAL2 operation is refused and Bulwark audits the step-up once.
      assertThatThrownBy(admin::deleteTenant).isInstanceOf(AuthorizationDeniedException.class);
      assertThat(count(context, "authz_stepup_required")).isEqualTo(1);
      // Five minutes later even the AAL1 operation needs a fresh authentication.
      context.getBean(SecurityTestSupport.Host.class).clock.advance(Duration.ofMinutes(5).plusSeconds(1));
      assertThatThrownBy(admin::viewAudit).isInstanceOf(AuthorizationDeniedException.class);
    });
  }

  @Test
  void refusal_saysWhyAndWhatWouldSatisfyIt_andARevokedSessionIsRefused() {
    SecurityTestSupport.runner().run(context -> {
      accounts(context, "correct horse battery");
      Sessions sessions = context.getBean(Sessions.class);
      StepUpAuthorizationManager<Object> aal2 = StepUpAuthorizationManager.of(sessions,
          context.getBean(dev.bulwark.authn.stepup.StepUp.class), StepUpRequirement.of(AssuranceLevel.AAL2,
              Duration.ofMinutes(5)));
      StepUpAuthorizationManager<Object> aal1 = StepUpAuthorizationManager.of(sessions,
          context.getBean(dev.bulwark.authn.stepup.StepUp.class), StepUpRequirement.of(AssuranceLevel.AAL1,
              Duration.ofMinutes(5)));
      BulwarkAuthentication auth = (BulwarkAuthentication) login(context);
      AuthorizationResult refused = aal2.authorize(() -> auth, new Object());
      assertThat(refused).isInstanceOf(StepUpRequiredDecision.class);
      StepUpRequiredDecision d = (StepUpRequiredDecision) refused;
      assertThat(d.isGranted()).isFalse();
      assertThat(d.targetLevel()).isEqualTo(AssuranceLevel.AAL2);
      assertThat(d.reason()).isIn(StepUpDecision.Reason.LEVEL_TOO_LOW, StepUpDecision.Reason.NO_SUITABLE_FACTOR);
      assertThat(aal1.authorize(() -> auth, new Object()).isGranted()).isTrue();
      sessions.revoke("alice", auth.sessionId());
      assertThat(aal1.authorize(() -> auth, new Object()).isGranted()).isFalse();
      // Not a Bulwark login at all.
      assertThat(aal1.authorize(() -> UsernamePasswordAuthenticationToken.authenticated("alice", "", java.util.List.of()),
          new Object()).isGranted()).isFalse();
    });
  }

  @Test
  void annotationWithUnknownLevelOrDuration_isRejectedWithItsValue() throws Exception {
    class Bad {
      @StepUp(level = "AAL9")
      void level() {}

      @StepUp(maxAge = "5 parsecs")
      void age() {}
    }
    assertThatThrownBy(() -> StepUpAuthorizationManager.requirement(
        Bad.class.getDeclaredMethod("level").getAnnotation(StepUp.class))).hasMessageContaining("AAL9");
    assertThatThrownBy(() -> StepUpAuthorizationManager.requirement(
        Bad.class.getDeclaredMethod("age").getAnnotation(StepUp.class))).hasMessageContaining("5 parsecs");
  }
}
