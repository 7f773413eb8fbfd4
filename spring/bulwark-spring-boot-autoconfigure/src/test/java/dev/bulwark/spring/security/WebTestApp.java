package dev.bulwark.spring.security;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testing.FakeClock;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;

/**
 * A host application for the web tests, in a real embedded Tomcat: Bulwark sessions as the
 * security context repository (no HttpSession), form login through BulwarkAuthenticationProvider
 * (password plus TOTP from a {@code totp} parameter), logout, the WebAuthn endpoints, CSRF tokens
 * in a cookie (the SPA pattern: header {@code X-XSRF-TOKEN}) and two test pages: {@code /test/csrf}
 * (public) and {@code /test/me} (signed-in only), served by the one servlet mapped to {@code /} (as a
 * DispatcherServlet would be, so every path passes through the filter chain).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSecurity
class WebTestApp {

  static final String RP_ID = "app.example.test";
  static final String ORIGIN = "https://app.example.test";
  static final String PASSWORD = "correct horse battery staple";
  static final JsonMapper JSON = new JsonMapper();

  final Map<String, Account> accounts = new ConcurrentHashMap<>();
  final FakeClock clock = FakeClock.atDefaultEpoch();
  final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  final TotpCredentialStore totpCredentials = TotpCredentialStore.inMemory();

  /** Starts the application on a free port with {@code extra} properties. */
  static ConfigurableApplicationContext start(String... extra) {
    return new SpringApplicationBuilder(WebTestApp.class).web(WebApplicationType.SERVLET)
        .properties("server.port=0", "server.address=127.0.0.1", "spring.profiles.active=dev",
            "spring.main.banner-mode=off", "logging.level.root=WARN",
            "bulwark.crypto.store=memory", "bulwark.audit.store=memory", "bulwark.authn.store=memory",
            "bulwark.ratelimit.filter=false",
            "bulwark.authn.webauthn.rp-id=" + RP_ID, "bulwark.authn.webauthn.rp-name=Web test",
            "bulwark.authn.webauthn.origins=" + ORIGIN, "bulwark.authn.webauthn.registration-max-age=5m")
        .properties(extra)
        .run();
  }

  static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  @Bean
  FakeClock clock() {
    return clock;
  }

  @Bean
  SecurityEventListener recordingListener() {
    return events::add;
  }

  @Bean
  AccountDirectory accountDirectory() {
    return username -> Optional.ofNullable(accounts.get(username));
  }

  @Bean
  TotpAuthenticator totpAuthenticator() {
    return TotpAuthenticator.builder(totpCredentials, UsedTotpStepStore.inMemory(clock)).clock(clock).build();
  }

  @Bean
  SecurityFilterChain chain(HttpSecurity http, BulwarkSecurityContextRepository repository,
      BulwarkAuthenticationProvider provider) throws Exception {
    http.securityContext(c -> c.securityContextRepository(repository))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(c -> c.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
            .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler()))
        .authenticationProvider(provider)
        .formLogin(f -> f.loginProcessingUrl("/login")
            .authenticationDetailsSource(r -> new SecondFactorDetails(r.getRemoteAddr(), r.getParameter("totp"), null))
            .successHandler((req, res, a) -> res.setStatus(204))
            .failureHandler(new LockoutFailureHandler((req, res, e) -> res.setStatus(401))))
        .logout(l -> l.logoutUrl("/logout").addLogoutHandler(repository)
            .logoutSuccessHandler((req, res, a) -> res.setStatus(204)))
        .authorizeHttpRequests(a -> a.requestMatchers("/test/csrf").permitAll().anyRequest().authenticated())
        .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> res.setStatus(401)))
        .with(BulwarkWebAuthnConfigurer.webAuthn(), Customizer.withDefaults());
    return http.build();
  }

  @Bean
  ServletRegistrationBean<HttpServlet> testPages() {
    return new ServletRegistrationBean<>(new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        if (!path.equals("/test/csrf") && !path.equals("/test/me")) {
          res.sendError(404);
          return;
        }
        if (path.equals("/test/csrf")) {
          CsrfToken token = (CsrfToken) req.getAttribute(CsrfToken.class.getName());
          out.put("header", token.getHeaderName()).put("token", token.getToken());
        } else {
          Authentication a = SecurityContextHolder.getContext().getAuthentication();
          out.put("name", a.getName()).put("type", a.getClass().getSimpleName());
          if (a instanceof BulwarkAuthentication b) {
            out.put("level", b.assuranceLevel().name()).put("session", b.sessionId());
            b.factors().forEach((f, t) -> out.withObject("factors").put(f.name(), t.toString()));
          }
          for (GrantedAuthority g : a.getAuthorities()) {
            out.withArray("authorities").add(g.getAuthority());
          }
          out.put("httpSession", req.getSession(false) != null);
        }
        res.setContentType("application/json");
        res.getOutputStream().write(JSON.writeValueAsString(out).getBytes(StandardCharsets.UTF_8));
      }
    }, "/");
  }

  /** Adds {@code name} with {@link #PASSWORD} and {@code roles}. */
  void account(ConfigurableApplicationContext context, String name, String... roles) {
    accounts.put(name, new Account(name, context.getBean(PasswordHasher.class).hash(PASSWORD), Set.of(roles)));
  }

  /** Enrols TOTP for {@code name}; returns a function from instant to code. */
  Totp enrolTotp(ConfigurableApplicationContext context, String name) throws Exception {
    TotpAuthenticator totp = context.getBean(TotpAuthenticator.class);
    TotpEnrollment e = totp.beginEnrollment(name, "Web test", name);
    TotpVerifier codes = new TotpVerifier(totp.settings(), UsedTotpStepStore.inMemory(clock), clock);
    Totp t = () -> codes.codeAt(e.uri().secret(), clock.instant());
    if (!totp.confirmEnrollment(e, t.now())) {
      throw new IllegalStateException("TOTP enrolment failed");
    }
    clock.advance(Duration.ofSeconds(31)); // the next code is a new time step
    return t;
  }

  /** The current TOTP code of an enrolled account. */
  interface Totp {
    String now();
  }
}
