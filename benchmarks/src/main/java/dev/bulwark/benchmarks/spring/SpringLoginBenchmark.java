package dev.bulwark.benchmarks.spring;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.Argon2idParameters;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.session.InMemorySessionStore;
import dev.bulwark.authn.session.SessionPolicy;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.benchmarks.ComparedWith;
import dev.bulwark.spring.security.BulwarkAuthenticationProvider;
import dev.bulwark.spring.security.BulwarkSecurityContextRepository;
import dev.bulwark.spring.security.BulwarkSessionCookie;
import dev.bulwark.spring.security.SecondFactorDetails;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;

/**
 * The per-login cost of Bulwark's Spring Security path against a plain Spring Security form login,
 * in the same run, single-threaded, over 1024 accounts in turn.
 *
 * <ul>
 *   <li>{@link #bulwarkLogin}: {@code BulwarkAuthenticationProvider} (LoginFlow: canonical
 *       identifier, lockout reservation and refund in memory, password check, the roles read once)
 *       issuing a Bulwark session in memory (256-bit token, SHA-256, roles stored with it, at most
 *       five per user), then {@code BulwarkSecurityContextRepository.saveContext} writing the
 *       {@code __Host-} cookie.
 *   <li>{@link #springFormLogin} (baseline): {@code DaoAuthenticationProvider} over an
 *       {@code InMemoryUserDetailsManager}, then {@code HttpSessionSecurityContextRepository}
 *       storing the context in a new {@code HttpSession}, whose id is changed (session fixation
 *       protection), as a form login does.
 * </ul>
 *
 * <p>Argon2id is taken out of the comparison by giving both sides the same, smallest Argon2id
 * check: Bulwark's {@code PasswordHasher} with {@code m=8 KiB, t=1, p=1} (test-only parameters,
 * far below production's 19 MiB), and the plain side a {@code PasswordEncoder} that calls that same
 * hasher; {@link #argon2idOnly} measures that shared check alone. Both requests are Spring's mocks:
 * the plain side's {@code MockHttpSession} has a counter for an id where a servlet container draws
 * a random one, so the plain side is, if anything, favoured. No events are recorded on either side
 * (Bulwark's listener is a no-op), as the plain side records none.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SpringLoginBenchmark {

  private static final int USERS = 1024;
  private static final String PASSWORD = "correct horse battery staple";

  private BulwarkAuthenticationProvider bulwark;
  private BulwarkSecurityContextRepository bulwarkRepository;
  private DaoAuthenticationProvider plain;
  private HttpSessionSecurityContextRepository plainRepository;
  private PasswordHasher hasher;
  private String[] names;
  private String oneHash;
  private int next;

  @Setup
  public void setUp() {
    Clock clock = Clock.systemUTC();
    hasher = PasswordHasher.builder().insecureParametersForTesting(Argon2idParameters.unchecked(8, 1, 1)).build();
    names = new String[USERS];
    Map<String, Account> accounts = new HashMap<>();
    List<UserDetails> users = new java.util.ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      names[i] = "user" + i;
      String hash = hasher.hash(PASSWORD);
      accounts.put(names[i], new Account(names[i], hash, Set.of("editor")));
      users.add(User.withUsername(names[i]).password(hash).roles("editor").build());
    }
    oneHash = accounts.get(names[0]).passwordHash();
    AccountDirectory directory = username -> Optional.ofNullable(accounts.get(username));
    Lockout lockout = Lockout.builder(AttemptStore.inMemory(clock)).clock(clock).build();
    LoginFlow flow = LoginFlow.builder(directory, hasher, lockout).clock(clock).build();
    Sessions sessions = Sessions.builder(new InMemorySessionStore(clock))
        .policy(AssuranceLevel.AAL1, SessionPolicy.nist(AssuranceLevel.AAL1)).clock(clock).build();
    bulwark = new BulwarkAuthenticationProvider(flow, directory, sessions, clock);
    bulwarkRepository = new BulwarkSecurityContextRepository(sessions, BulwarkSessionCookie.secureDefaults(), clock);

    plain = new DaoAuthenticationProvider(new InMemoryUserDetailsManager(users));
    plain.setPasswordEncoder(new PasswordEncoder() {
      @Override
      public String encode(CharSequence rawPassword) {
        return hasher.hash(rawPassword);
      }

      @Override
      public boolean matches(CharSequence rawPassword, String encodedPassword) {
        return hasher.verify(rawPassword, encodedPassword);
      }
    });
    plainRepository = new HttpSessionSecurityContextRepository();
  }

  private String nextUser() {
    next = (next + 1) & (USERS - 1);
    return names[next];
  }

  @Benchmark
  @ComparedWith("dev.bulwark.benchmarks.spring.SpringLoginBenchmark.springFormLogin")
  public MockHttpServletResponse bulwarkLogin() {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/login");
    MockHttpServletResponse response = new MockHttpServletResponse();
    UsernamePasswordAuthenticationToken token = UsernamePasswordAuthenticationToken.unauthenticated(nextUser(), PASSWORD);
    token.setDetails(new SecondFactorDetails("203.0.113.9", null, null));
    Authentication done = bulwark.authenticate(token);
    SecurityContext context = new SecurityContextImpl(done);
    bulwarkRepository.saveContext(context, request, response);
    if (response.getHeader("Set-Cookie") == null) {
      throw new IllegalStateException("no session cookie");
    }
    return response;
  }

  /** Baseline: Spring Security's form login path with an HttpSession. */
  @Benchmark
  public MockHttpServletRequest springFormLogin() {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/login");
    MockHttpServletResponse response = new MockHttpServletResponse();
    Authentication done = plain.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(nextUser(), PASSWORD));
    request.getSession(true);
    request.changeSessionId();
    SecurityContext context = new SecurityContextImpl(done);
    plainRepository.saveContext(context, request, response);
    if (!plainRepository.containsContext(request)) {
      throw new IllegalStateException("no saved context");
    }
    return request;
  }

  /** The Argon2id check both sides share (m=8 KiB, t=1, p=1): how much of each login it is. */
  @Benchmark
  public boolean argon2idOnly() {
    return hasher.verify(PASSWORD, oneHash);
  }
}
