package dev.bulwark.samples.notes;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.AuditHealth;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.DirectoryAnchor;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.VerificationReport;
import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.PurgeSchedule;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.LoginRequest;
import dev.bulwark.authn.flow.LoginResult;
import dev.bulwark.authn.flow.MfaPolicy;
import dev.bulwark.authn.flow.SecondFactorResponse;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.LockoutPolicy;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.password.PasswordPolicy;
import dev.bulwark.authn.session.InMemorySessionStore;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.Session;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.SessionPolicy;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.authn.stepup.StepUp;
import dev.bulwark.authn.stepup.StepUpDecision;
import dev.bulwark.authn.stepup.StepUpRequirement;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.authn.webauthn.Ceremony;
import dev.bulwark.authn.webauthn.InMemoryChallengeStore;
import dev.bulwark.authn.webauthn.InMemoryCredentialStore;
import dev.bulwark.authn.webauthn.StoredCredential;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnException;
import dev.bulwark.authn.webauthn.WebAuthnLogin;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcCredentialStore;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.authz.AccessControl;
import dev.bulwark.authz.Binding;
import dev.bulwark.authz.InMemoryAuthzStore;
import dev.bulwark.authz.Permission;
import dev.bulwark.authz.Policy;
import dev.bulwark.authz.PolicyException;
import dev.bulwark.authz.Principal;
import dev.bulwark.authz.Resource;
import dev.bulwark.authz.Role;
import dev.bulwark.authz.Scope;
import dev.bulwark.authz.jdbc.JdbcAuthzStore;
import dev.bulwark.authz.jdbc.RlsVerifier;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import dev.bulwark.crypto.ShredReceipt;
import dev.bulwark.lifecycle.Attribution;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.ErasureReport;
import dev.bulwark.lifecycle.InMemoryHostRecords;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleException;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.OperationId;
import dev.bulwark.lifecycle.PurgeScheduler;
import dev.bulwark.lifecycle.RecordRef;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.lifecycle.jdbc.JdbcLifecycleStore;
import dev.bulwark.lifecycle.jdbc.TableMapping;
import dev.bulwark.lifecycle.spi.RecordState;
import dev.bulwark.ratelimit.InMemoryRateLimitStore;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.RateLimitKey;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.jdbc.JdbcRateLimitStore;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

import dev.bulwark.spring.security.BulwarkAuthentication;
import dev.bulwark.spring.security.SecondFactorDetails;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.AuthenticationException;

/**
 * The notes service: the sample's domain operations over the Bulwark modules the Spring Boot
 * starter configures (keyrings and envelope, password hasher, lockout, sessions, step-up, the
 * audit log, lifecycle, authz, the rate-limit store) and the few the sample adds itself (the
 * one-step login flow, TOTP, WebAuthn, the three per-route limiters). The web layer
 * (controllers, Spring Security) calls these operations. Every failure meant for the user is a
 * {@link UserError} with a readable message. Thread-safe.
 */
final class NotesService implements AutoCloseable {

  static final DataClass NOTE = DataClass.of("note");
  static final String ORIGIN = "bulwark-notes/audit";
  static final Duration ADMIN_MAX_AGE = Duration.ofMinutes(15);
  /** How recent a re-authentication must be for adding or removing a factor, a password change or deletion. */
  static final Duration REAUTH_MAX_AGE = Duration.ofMinutes(5);
  private static final StepUpRequirement REAUTH = StepUpRequirement.of(AssuranceLevel.AAL2, REAUTH_MAX_AGE);
  /** Registrations (attempts that reach the username check) per source address and window. */
  static final int REGISTRATIONS_PER_SOURCE = 5;
  static final Duration REGISTRATION_WINDOW = Duration.ofMinutes(10);
  /** Password sign-in requests per source address and window (on top of authn's lockout). */
  static final int LOGINS_PER_SOURCE = 20;
  static final Duration LOGIN_WINDOW = Duration.ofMinutes(1);
  /** Notes a user may create at once, and per {@link #NOTE_WINDOW}. */
  static final int NOTES_BURST = 10;
  static final int NOTES_PER_WINDOW = 30;
  static final Duration NOTE_WINDOW = Duration.ofHours(1);
  /** How often authn's {@link PurgeSchedule} deletes the expired rows of its JDBC stores. */
  static final Duration AUTHN_PURGE_INTERVAL = Duration.ofMinutes(10);
  static final int MAX_NOTE_CHARS = 10_000;

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._-]{3,64}");
  private static final Pattern CODE = Pattern.compile("[0-9]{6}");
  private static final SecureRandom RANDOM = new SecureRandom();


  /** The verifier's read-only view of the stored log: the segment files, or the audit table. */
  @FunctionalInterface
  interface ReadOnlyAudit {
    VerificationReport verify(AuditVerifier verifier);
  }

  /** The limits of the sample's own routes (sign-up, password sign-in, note creation). */
  record Limiters(RateLimiter signups, RateLimiter logins, RateLimiter noteCreation) {}

  /** The Bulwark components the service works with, from the starter or the sample's configuration. */
  record Parts(Clock clock, AppStore store, NotesAudit audit, AuditLog auditLog, AuditVerifier verifier,
      ReadOnlyAudit readOnlyAudit, Optional<Path> auditDir, Envelope envelope,
      PasswordHasher hasher, Lockout lockout, TotpAuthenticator totp, LoginFlow loginFlow,
      AccountDirectory directory, AuthenticationProvider signIn, CredentialStore passkeys,
      WebAuthn webauthn,
      Sessions sessions, StepUp stepUp, LifecycleStore lifecycleStore, Lifecycle lifecycle,
      PurgeScheduler purgeScheduler, AccessControl access, Limiters limiters, Optional<PurgeSchedule> authnPurge,
      Path dataDir) {}

  private final Clock clock;
  private final Path dataDir;
  private final AppStore store;
  private final Optional<Path> auditDir;
  private final ReadOnlyAudit readOnlyAudit;
  private final AuditLog auditLog;
  private final AuditVerifier verifier;
  private final NotesAudit audit;
  private final Envelope envelope;
  private final PasswordHasher hasher;
  private final PasswordPolicy passwordPolicy = PasswordPolicy.nist();
  private final Lockout lockout;
  private final TotpAuthenticator totp;
  private final LoginFlow loginFlow;
  private final AuthenticationProvider signIn;
  private final CredentialStore passkeys;
  private final WebAuthn webauthn;
  private final Sessions sessions;
  private final StepUp stepUp;
  private final LifecycleStore lifecycleStore;
  private final Lifecycle lifecycle;
  private final PurgeScheduler purgeScheduler;
  private final AccessControl access;
  private final RateLimiter signups;
  private final RateLimiter logins;
  private final RateLimiter noteCreation;
  private final java.util.concurrent.atomic.AtomicLong passwordHashes = new java.util.concurrent.atomic.AtomicLong();
  private final AccountDirectory directory;
  /** authn's purge of expired rows (PostgreSQL mode; the in-memory stores expire entries themselves). */
  private final Optional<PurgeSchedule> authnPurge;

  NotesService(Parts p) {
    this.clock = p.clock();
    this.dataDir = p.dataDir();
    this.store = p.store();
    this.audit = p.audit();
    this.auditLog = p.auditLog();
    this.verifier = p.verifier();
    this.readOnlyAudit = p.readOnlyAudit();
    this.auditDir = p.auditDir();
    this.envelope = p.envelope();
    this.hasher = p.hasher();
    this.lockout = p.lockout();
    this.totp = p.totp();
    this.loginFlow = p.loginFlow();
    this.directory = p.directory();
    this.signIn = p.signIn();
    this.passkeys = p.passkeys();
    this.webauthn = p.webauthn();
    this.sessions = p.sessions();
    this.stepUp = p.stepUp();
    this.lifecycleStore = p.lifecycleStore();
    this.lifecycle = p.lifecycle();
    this.purgeScheduler = p.purgeScheduler();
    this.access = p.access();
    this.signups = p.limiters().signups();
    this.logins = p.limiters().logins();
    this.noteCreation = p.limiters().noteCreation();
    this.authnPurge = p.authnPurge();
    // The policy is loaded at every start; stored bindings are kept.
    try {
      access.loadPolicy(notesPolicy(), "bulwark-notes");
    } catch (PolicyException e) {
      throw new IllegalStateException("the sample's authz policy was refused: " + e.getMessage(), e);
    }
    audit.record(Action.SYS_STARTUP, "bulwark-notes", null, Outcome.SUCCESS, null, null,
        Map.of("storage", auditDir.isPresent() ? "files" : "postgresql"));
  }

  /**
   * Runs authn's purge schedule once, now (it also runs every {@link #AUTHN_PURGE_INTERVAL}):
   * expired ceremonies, attempts, used TOTP steps and sessions. Returns the rows deleted per task
   * ({@code challenges}, {@code attempts}, {@code sessions}, {@code totp_steps}); empty in memory
   * mode, where the stores expire their entries themselves.
   */
  Map<String, Integer> purgeExpiredAuthnRows() {
    return authnPurge.map(PurgeSchedule::runOnce).orElse(Map.of());
  }

  /** The sample's roles: who may read, edit and share a note, and invite into an organization. */
  private static Policy notesPolicy() {
    Map<String, Set<String>> types = Map.of("note", Set.of("read", "edit", "share"), "org", Set.of("view", "invite"));
    Map<String, Role> roles = Map.of(
        "viewer", Role.of("viewer", new Permission("note", "read")),
        "editor", new Role("editor", Set.of(new Permission("note", "edit")), Set.of("viewer")),
        "owner", new Role("owner", Set.of(new Permission("note", "share")), Set.of("editor")),
        "member", Role.of("member", new Permission("org", "view")),
        "org-admin", new Role("org-admin", Set.of(new Permission("org", "invite")), Set.of("member")));
    return new Policy("notes-1", types, roles, Map.of(), List.of(), List.of());
  }

  /** The authorities a session of {@code u} carries: the account's roles. */
  static java.util.Set<String> authorities(AppStore.User u) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    u.roles().forEach(r -> out.add("ROLE_" + r));
    return out;
  }

  /** The organization {@code userId} owns (created with the account). */
  static String homeOrganization(String userId) {
    return "org-" + userId;
  }

  /** The audit log, for tests that check which events were recorded. */
  AuditLog auditLogForTests() {
    return auditLog;
  }

  Optional<AppStore.User> userByNameForTests(String username) {
    return store.userByName(username);
  }

  /** How many new passwords were hashed since the start (each costs an Argon2id run). */
  long passwordHashesComputed() {
    return passwordHashes.get();
  }

  Path dataDir() {
    return dataDir;
  }

  /** The audit segment directory (file mode), for operators and tests. */
  Optional<Path> auditDirectory() {
    return auditDir;
  }

  /**
   * The keyring of {@code userId}'s notes: the user id itself, which is also the lifecycle subject
   * of their notes, so the starter's key shredder destroys exactly this keyring when the account
   * is erased.
   */
  static String scope(String userId) {
    return userId;
  }

  // ---------------------------------------------------------------- accounts

  /**
   * Registers a user (the first one is the admin) and opens a password-only session. At most
   * {@link #REGISTRATIONS_PER_SOURCE} attempts per source address reach the username check and the
   * Argon2id hash in {@link #REGISTRATION_WINDOW}; a taken username is refused before hashing.
   */
  IssuedSession register(String typedUsername, String password, String confirm, String sourceIp) throws UserError {
    if (typedUsername == null || !USERNAME.matcher(typedUsername).matches()) {
      throw new UserError("Usernames are 3 to 64 characters: letters, digits, '.', '_' or '-'.");
    }
    // Stored as LoginFlow looks it up: "Alice" and "alice" are one name, taken once.
    String username = directory.canonicalIdentifier(typedUsername);
    if (password == null || password.isEmpty()) {
      throw new UserError("Choose a password.");
    }
    if (!password.equals(confirm)) {
      throw new UserError("The two passwords do not match.");
    }
    PasswordPolicy.Result check = passwordPolicy.check(password, true);
    if (!check.accepted()) {
      switch (check.violations().get(0)) {
        case TOO_SHORT:
          throw new UserError("The password is too short: use at least " + check.minLength() + " characters.");
        case TOO_LONG:
          throw new UserError("The password is too long: use at most " + check.maxLength() + " characters.");
        case BLOCKLISTED:
          throw new UserError("That password is too common; choose another one.");
        default:
          throw new UserError("The password contains characters that cannot be used.");
      }
    }
    RateLimitDecision signup = signups.acquire(RateLimitKey.builder().source(String.valueOf(sourceIp)).build());
    if (signup.denied()) {
      throw limited(signup, "anonymous", "/register", sourceIp, "Too many accounts were created from your address; try again in "
          + minutes(signup.retryAfter()) + ".");
    }
    if (store.userByName(username).isPresent()) {
      throw new UserError("That username is taken; choose another one.");
    }
    passwordHashes.incrementAndGet();
    String hash = hasher.hash(password);
    AppStore.User user;
    synchronized (this) {
      Set<String> roles = store.userCount() == 0 ? Set.of("admin", "user") : Set.of("user");
      user = new AppStore.User(UUID.randomUUID().toString(), username, hash, roles, clock.instant());
      if (!store.addUser(user)) {
        throw new UserError("That username is taken; choose another one.");
      }
    }
    audit.record(Action.USER_CREATED, user.id(), "password", Outcome.SUCCESS, "user", user.id(),
        Map.of("username", username, "roles", String.join(",", user.roles())));
    String org = homeOrganization(user.id());
    bind(Binding.of("admin:" + user.id(), Principal.user(user.id()), "org-admin", org, Scope.organization()), user.id());
    try {
      return sessions.create(user.id(), AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, clock.instant()), authorities(user));
    } catch (SessionException e) {
      throw new UserError("Could not start a session: " + e.getMessage());
    }
  }

  /**
   * The prefix of the accounts "Sign in with SSO" creates. {@code ':'} is not allowed in a name
   * chosen at sign-up, so no local account can hold (or claim in advance) an SSO account's name.
   */
  static final String SSO_NAME_PREFIX = "sso:";
  private static final SecureRandom UNUSABLE_PASSWORDS = new SecureRandom();

  /**
   * The name of the account linked to an identity provider's {@code (issuer, subject)}: a SHA-256
   * of both, length-prefixed so no two pairs share an encoding. Never an e-mail address or a user
   * name the identity provider sends as an attribute: those are free text, and matching them to
   * an existing account would hand it to whoever controls that text at some IdP.
   */
  static String ssoAccountName(String issuer, String subject) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      byte[] i = issuer.getBytes(StandardCharsets.UTF_8);
      sha.update((i.length + ":").getBytes(StandardCharsets.US_ASCII));
      sha.update(i);
      sha.update(subject.getBytes(StandardCharsets.UTF_8));
      return SSO_NAME_PREFIX + java.util.HexFormat.of().formatHex(sha.digest(), 0, 20);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** The account linked to {@code (issuer, subject)}, if one was created; never creates one. */
  Optional<AppStore.User> ssoLinkedAccount(String issuer, String subject) {
    return store.userByName(ssoAccountName(issuer, subject));
  }

  /**
   * The local account linked to an identity provider's {@code (issuer, subject)}, created at the
   * first sign-in as a sign-up creates one (the first account of the store is the admin; an
   * organization of its own with an {@code org-admin} binding; its notes' keyring is its id). Its
   * password is a random one nobody knows, so it signs in only through its identity provider.
   * Parallel first sign-ins of one identity create one account: the store's unique name decides
   * (across nodes too, with PostgreSQL), and the others read the winner's account.
   */
  AppStore.User ssoAccount(String issuer, String subject, String registrationId) {
    String name = ssoAccountName(issuer, subject);
    Optional<AppStore.User> existing = store.userByName(name);
    if (existing.isPresent()) {
      return existing.get();
    }
    AppStore.User user;
    synchronized (this) {
      existing = store.userByName(name);
      if (existing.isPresent()) {
        return existing.get();
      }
      byte[] secret = new byte[32];
      UNUSABLE_PASSWORDS.nextBytes(secret);
      passwordHashes.incrementAndGet();
      String hash = hasher.hash(Base64.getEncoder().encodeToString(secret));
      java.util.Arrays.fill(secret, (byte) 0);
      Set<String> roles = store.userCount() == 0 ? Set.of("admin", "user") : Set.of("user");
      user = new AppStore.User(UUID.randomUUID().toString(), name, hash, roles, clock.instant());
      if (!store.addUser(user)) {
        // Another node created it first.
        return store.userByName(name).orElseThrow(() -> new IllegalStateException("the SSO account vanished"));
      }
    }
    audit.record(Action.USER_CREATED, user.id(), "sso", Outcome.SUCCESS, "user", user.id(),
        Map.of("username", name, "roles", String.join(",", user.roles()), "registration", registrationId));
    bind(Binding.of("admin:" + user.id(), Principal.user(user.id()), "org-admin", homeOrganization(user.id()),
        Scope.organization()), user.id());
    return user;
  }

  /**
   * Password + TOTP login in one step, exactly as the sign-in form does it: through
   * {@link PasswordSignIn} (the per-source limit, then the starter's Spring Security provider over
   * authn's LoginFlow with its lockout, MFA policy and audit events). A wrong password, a missing
   * code and a wrong code get the same answer. Returns the authentication with its new session.
   */
  BulwarkAuthentication login(String username, String password, String code, String sourceIp) throws UserError {
    UsernamePasswordAuthenticationToken request = UsernamePasswordAuthenticationToken.unauthenticated(
        username == null ? "" : username.trim(), password == null ? "" : password);
    request.setDetails(new SecondFactorDetails(sourceIp, PasswordSignIn.normalizeCode(code), null));
    try {
      return (BulwarkAuthentication) signIn.authenticate(request);
    } catch (PasswordSignIn.Refused e) {
      throw e.error();
    }
  }

  /** The identifier LoginFlow counts failures under: the canonical form, or the text typed if it has none. */
  private String canonicalOrTyped(String typed) {
    try {
      String c = directory.canonicalIdentifier(typed);
      return c == null || c.isEmpty() || c.length() > Lockout.MAX_IDENTIFIER_CHARS ? typed : c;
    } catch (IllegalArgumentException e) {
      return typed;
    }
  }

  /** Records a rate-limit refusal and builds the error the web layer turns into 429 (or 503). */
  private RateLimited limited(RateLimitDecision d, String actor, String page, String sourceIp, String message) {
    return audit.limited(d, actor, page, sourceIp, message);
  }

  static String minutes(Duration retryAfter) {
    long minutes = Math.max(1, (retryAfter.toSeconds() + 59) / 60);
    return minutes + (minutes == 1 ? " minute" : " minutes");
  }

  static String lockedMessage(Duration retryAfter) {
    long minutes = Math.max(1, (retryAfter.toSeconds() + 59) / 60);
    return "Too many failed attempts: sign-in to this account is locked for " + minutes
        + (minutes == 1 ? " minute." : " minutes.");
  }

  Optional<AppStore.User> user(String userId) {
    return store.userById(userId);
  }


  boolean hasTotp(AppStore.User u) {
    return totp.isEnrolled(u.id());
  }

  boolean hasPasskey(AppStore.User u) {
    return !passkeys.forUsername(u.id()).isEmpty();
  }

  List<StoredCredential> passkeysOf(AppStore.User u) {
    return List.copyOf(passkeys.forUsername(u.id()));
  }

  /** Starts (or shows again) a TOTP enrolment: the page shows its QR code and secret. */
  TotpEnrollment totpEnrollment(AppStore.User u) {
    try {
      Optional<TotpEnrollment> pending = totp.pendingEnrollment(u.id());
      return pending.isPresent() ? pending.get() : totp.beginPendingEnrollment(u.id(), "Bulwark Notes", u.username());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the pending TOTP enrolment cannot be read or stored", e);
    }
  }

  /**
   * Confirms the enrolment with a code; the web layer then raises the session to AAL2 with the
   * TOTP factor (a new token).
   */
  void confirmTotp(AppStore.User u, String code) throws UserError {
    String c = code == null ? "" : code.replace(" ", "").trim();
    if (!CODE.matcher(c).matches()) {
      throw new UserError("Enter the 6 digits your authenticator app shows.");
    }
    try {
      if (totp.pendingEnrollment(u.id()).isEmpty()) {
        throw new UserError("Start the set-up again: scan the QR code, then enter the code.");
      }
      // authn counts the attempt before the code is checked (5 per enrolment) and stores the
      // credential once, whatever the number of parallel confirmations.
      if (!totp.confirmPendingEnrollment(u.id(), c)) {
        throw new UserError("That code is not right. Check the clock of your phone and try the current code.");
      }
    } catch (GeneralSecurityException ex) {
      throw new UserError("The code could not be checked; try again.");
    }
  }

  // ---------------------------------------------------------------- passkeys

  /** The factors {@code u} has enrolled (for step-up decisions). */
  private Set<Factor> enrolledFactors(AppStore.User u) {
    Set<Factor> enrolled = EnumSet.of(Factor.PASSWORD);
    if (hasTotp(u)) {
      enrolled.add(Factor.TOTP);
    }
    if (hasPasskey(u)) {
      enrolled.add(Factor.WEBAUTHN);
    }
    return enrolled;
  }

  /**
   * Whether {@code s} verified a second factor (TOTP or passkey) in the last
   * {@link #REAUTH_MAX_AGE}: what adding or removing a factor, changing the password and deleting
   * the account need, so a stolen session cookie alone cannot take the account over. A refusal is
   * recorded ({@code authz_stepup_required}).
   */
  boolean recentlyReauthenticated(Session s, AppStore.User u) {
    return stepUp.check(s, REAUTH, enrolledFactors(u)).allowed();
  }

  private void requireReauthentication(Session s, AppStore.User u) throws ReauthRequired {
    if (!s.userId().equals(u.id()) || !recentlyReauthenticated(s, u)) {
      throw new ReauthRequired();
    }
  }

  /**
   * Re-authenticates the signed-in user with password and authenticator code (lockout applies)
   * (lockout applies); returns the level reached, which the web layer records in the session with
   * the TOTP factor (a new token).
   */
  AssuranceLevel reauthenticate(AppStore.User u, String password, String code, String sourceIp)
      throws UserError {
    String c = code == null ? "" : code.replace(" ", "").trim();
    if (password == null || password.isEmpty() || !CODE.matcher(c).matches()) {
      throw new UserError("Enter your password and the 6-digit code from your authenticator app.");
    }
    if (password.length() > PasswordHasher.MAX_PASSWORD_CHARS) {
      throw new UserError("Wrong password or code.");
    }
    LoginResult r = loginFlow.login(LoginRequest.of(u.username(), password, Optional.ofNullable(sourceIp))
        .withSecondFactor(SecondFactorResponse.totp(c)));
    if (r.outcome() == LoginResult.Outcome.LOCKED) {
      throw new UserError(lockedMessage(r.retryAfter()));
    }
    if (r.outcome() != LoginResult.Outcome.SUCCESS || !r.accountId().orElse("").equals(u.id())) {
      throw new UserError("Wrong password or code.");
    }
    return r.assuranceLevel().orElseThrow();
  }

  /** Removes one of {@code u}'s passkeys (base64url credential id); needs a recent re-authentication. */
  void removePasskey(Session s, AppStore.User u, String credentialId) throws UserError {
    requireReauthentication(s, u);
    dev.bulwark.common.Bytes id;
    try {
      id = dev.bulwark.common.Bytes.fromBase64Url(credentialId == null ? "" : credentialId);
    } catch (IllegalArgumentException e) {
      throw new UserError("That passkey does not exist (any more).");
    }
    if (id.isEmpty() || !webauthn.removeCredential(u.id(), id)) {
      throw new UserError("That passkey does not exist (any more).");
    }
  }

  /**
   * Changes {@code u}'s password (needs a recent re-authentication), signs out every session of the
   * account and returns a new one for this browser.
   */
  IssuedSession changePassword(Session s, AppStore.User u, String password, String confirm) throws UserError {
    requireReauthentication(s, u);
    if (password == null || password.isEmpty()) {
      throw new UserError("Choose a new password.");
    }
    if (!password.equals(confirm)) {
      throw new UserError("The two passwords do not match.");
    }
    PasswordPolicy.Result check = passwordPolicy.check(password, true);
    if (!check.accepted()) {
      throw new UserError("That password cannot be used: " + check.violations().get(0).name().toLowerCase(java.util.Locale.ROOT)
          .replace('_', ' ') + ".");
    }
    passwordHashes.incrementAndGet();
    store.updatePasswordHash(u.id(), hasher.hash(password));
    int revoked = sessions.revokeAll(u.id());
    audit.record(Action.AUTHN_PASSWORD_CHANGE, u.id(), null, Outcome.SUCCESS, "user", u.id(),
        Map.of("sessions_revoked", Integer.toString(revoked)));
    try {
      return sessions.create(u.id(), s.assuranceLevel(), s.factors(), s.authorities());
    } catch (SessionException e) {
      throw new UserError("Your password was changed; sign in again.");
    }
  }

  /** What the admin pages need from a session. */
  enum AdminAccess { ALLOWED, STEP_UP, FORBIDDEN }

  /**
   * Admin pages need the admin role and a phishing-resistant factor (WebAuthn) verified in the
   * last 15 minutes, on top of authn's step-up check of level and freshness.
   */
  AdminAccess adminAccess(Session s, AppStore.User u) {
    if (!u.isAdmin()) {
      audit.record(Action.AUTHZ_FAIL, u.id(), null, Outcome.DENIED, "page", "/admin", Map.of("reason", "not_admin"));
      return AdminAccess.FORBIDDEN;
    }
    Set<Factor> enrolled = enrolledFactors(u);
    StepUpDecision d = stepUp.check(s, StepUpRequirement.of(AssuranceLevel.AAL2, ADMIN_MAX_AGE), enrolled);
    Instant now = clock.instant();
    boolean phishingResistant = s.factors().entrySet().stream()
        .anyMatch(f -> f.getKey().phishingResistant() && now.isBefore(f.getValue().plus(ADMIN_MAX_AGE)));
    if (d.allowed() && phishingResistant) {
      return AdminAccess.ALLOWED;
    }
    if (d.allowed()) {
      audit.record(Action.AUTHZ_STEPUP_REQUIRED, u.id(), null, Outcome.DENIED,
          "page", "/admin", Map.of("reason", "phishing_resistant_factor_required", "session_id", s.id()));
    }
    return AdminAccess.STEP_UP;
  }

  // ---------------------------------------------------------------- notes

  /** A decrypted note as shown on the page. */
  record NoteView(String id, String text, Instant createdAt, boolean deleted, Optional<Instant> purgeAfter) {}

  List<NoteView> notes(AppStore.User u) {
    List<NoteView> out = new ArrayList<>();
    String org = homeOrganization(u.id());
    for (AppStore.NoteRow row : store.notesOf(org, u.id())) {
      Optional<RecordState> state = lifecycleStore.find(RecordRef.of(NOTE, row.id()));
      if (state.isEmpty()) {
        store.forgetNote(org, row.id());
        continue;
      }
      String text;
      try {
        text = new String(envelope.decrypt(Base64.getDecoder().decode(row.ciphertextBase64()), context(u.id(), row.id())),
            StandardCharsets.UTF_8);
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        text = "(this note cannot be decrypted)";
      }
      out.add(new NoteView(row.id(), text, row.createdAt(), state.get().deleted(), state.get().purgeAfter()));
    }
    return out;
  }

  private static EncryptionContext context(String userId, String noteId) {
    return EncryptionContext.of("user", userId, "note", noteId);
  }

  void createNote(AppStore.User u, String text) throws UserError {
    if (text == null || text.isBlank()) {
      throw new UserError("Write something first: the note is empty.");
    }
    if (text.length() > MAX_NOTE_CHARS) {
      throw new UserError("Notes can be at most " + MAX_NOTE_CHARS + " characters long.");
    }
    RateLimitDecision d = noteCreation.acquire(RateLimitKey.builder().principal(u.id()).route("POST /notes").build());
    if (d.denied()) {
      throw limited(d, u.id(), "/notes", null, "You have written many notes in a short time; try again in "
          + minutes(d.retryAfter()) + ".");
    }
    String id = UUID.randomUUID().toString();
    byte[] ct;
    try {
      ct = envelope.forKeyring(scope(u.id())).encrypt(text.getBytes(StandardCharsets.UTF_8), context(u.id(), id));
    } catch (GeneralSecurityException e) {
      throw new UserError("The note could not be encrypted, so it was not saved.");
    }
    store.addNote(new AppStore.NoteRow(id, homeOrganization(u.id()), u.id(), Base64.getEncoder().encodeToString(ct),
        clock.instant()));
    bind(Binding.of("owner:" + id, Principal.user(u.id()), "owner", homeOrganization(u.id()), Scope.resource("note", id)), u.id());
    audit.record(Action.SENSITIVE_CREATE, u.id(), null, Outcome.SUCCESS, "note", id,
        Map.of("keyring", scope(u.id()), "bytes", Integer.toString(ct.length)));
  }

  /**
   * A note of {@code u}'s own, for delete and restore. Looked up in {@code u}'s own organization
   * only: another organization's note id finds nothing (row-level security with PostgreSQL).
   */
  private RecordState ownedNote(AppStore.User u, String noteId) throws UserError {
    Optional<AppStore.NoteRow> row = noteId == null ? Optional.empty() : store.note(homeOrganization(u.id()), noteId);
    Optional<RecordState> state = row.filter(r -> r.ownerId().equals(u.id()))
        .flatMap(r -> lifecycleStore.find(RecordRef.of(NOTE, r.id())));
    if (state.isEmpty()) {
      if (row.isPresent()) {
        audit.record(Action.MALICIOUS_DIRECT_REFERENCE, u.id(), null, Outcome.DENIED, "note", noteId, Map.of());
      }
      throw new UserError("That note does not exist (any more).");
    }
    return state.get();
  }

  /** Moves a note to the trash (lifecycle soft delete, restorable for 30 days). */
  Instant deleteNote(AppStore.User u, String noteId) throws UserError {
    RecordState state = ownedNote(u, noteId);
    if (state.deleted()) {
      throw new UserError("That note is already in the trash.");
    }
    try {
      return lifecycle.softDelete(List.of(state.ref()), Attribution.of(u.id(), "deleted by its owner"))
          .entries().get(0).purgeAfter();
    } catch (LifecycleException e) {
      // Deleted meanwhile by another request, or a policy forbids the window.
      throw new UserError("That note cannot be moved to the trash.");
    }
  }

  /** Restores a note from the trash: exactly the soft-delete operation that removed it. */
  void restoreNote(AppStore.User u, String noteId) throws UserError {
    RecordState state = ownedNote(u, noteId);
    OperationId op = state.operation().filter(o -> state.deleted())
        .orElseThrow(() -> new UserError("That note is not in the trash."));
    try {
      lifecycle.restore(op, Attribution.of(u.id(), "restored by its owner"));
    } catch (LifecycleException e) {
      throw new UserError("That note can no longer be restored.");
    }
  }

  // ---------------------------------------------------------------- organizations and sharing

  /**
   * Adds a binding. Serialised here: AccessControl retries a change a bounded number of times when
   * another change overtakes it, and parallel note creation would otherwise exhaust the retries.
   */
  private synchronized void bind(Binding b, String actor) {
    try {
      access.bind(b, actor);
    } catch (PolicyException e) {
      throw new IllegalStateException("the sample's own binding was refused: " + e.getMessage(), e);
    }
  }

  private boolean allowed(AppStore.User u, String action, Resource r, String page) {
    dev.bulwark.authz.AccessDecision d = access.authorizer().check(Principal.user(u.id()), action, r);
    if (!d.allowed()) {
      audit.record(Action.AUTHZ_FAIL, u.id(), null, Outcome.DENIED, r.type(), r.id(),
          Map.of("action", action, "reason", d.reason().name().toLowerCase(java.util.Locale.ROOT),
              "policy", d.policyVersion(), "page", page));
    }
    return d.allowed();
  }

  private boolean isMember(String userId, String org) {
    Principal p = Principal.user(userId);
    return access.authorizer().check(p, "view", Resource.of(org, "org", org)).allowed();
  }

  /**
   * Adds the user named {@code username} to {@code org} as a member; only an admin of that
   * organization may. Returns the organization.
   */
  String inviteToOrganization(AppStore.User admin, String org, String username) throws UserError {
    if (org == null || !allowed(admin, "invite", Resource.of(org, "org", org), "/org/invite")) {
      throw new UserError("Only an admin of that organization can invite into it.");
    }
    AppStore.User invitee = store.userByName(canonicalOrTyped(username == null ? "" : username.trim()))
        .orElseThrow(() -> new UserError("There is no user of that name."));
    if (!isMember(invitee.id(), org)) {
      bind(Binding.of("member:" + org + ":" + invitee.id(), Principal.user(invitee.id()), "member", org,
          Scope.organization()), admin.id());
    }
    return org;
  }

  /**
   * The organizations {@code userId} holds a binding in: their own, those they were invited into
   * and those a note was shared with them in. A note is looked for only there, one organization
   * at a time, so a note id of any other organization finds nothing before authz is even asked.
   */
  private Set<String> organizationsOf(String userId) {
    Principal me = Principal.user(userId);
    Set<String> orgs = new java.util.LinkedHashSet<>();
    orgs.add(homeOrganization(userId));
    for (Binding b : access.authorizer().policy().bindings()) {
      if (b.principal().equals(me)) {
        orgs.add(b.tenant());
      }
    }
    return orgs;
  }

  /** The live note {@code noteId} as found in one of {@code u}'s organizations. */
  private Optional<AppStore.NoteRow> liveNote(AppStore.User u, String noteId) {
    if (noteId == null) {
      return Optional.empty();
    }
    for (String org : organizationsOf(u.id())) {
      Optional<AppStore.NoteRow> row = store.note(org, noteId).filter(this::live);
      if (row.isPresent()) {
        return row;
      }
    }
    return Optional.empty();
  }

  private boolean live(AppStore.NoteRow r) {
    return lifecycleStore.find(RecordRef.of(NOTE, r.id())).map(st -> !st.deleted()).orElse(false);
  }

  private static Resource resource(AppStore.NoteRow r) {
    return Resource.of(r.orgId(), "note", r.id());
  }

  /**
   * Shares a note of {@code owner}'s with a member of the note's organization as {@code viewer}
   * or {@code editor} (a second share replaces the first). Only someone allowed to share the note
   * (its owner) may; someone outside the organization cannot be given it.
   */
  void shareNote(AppStore.User owner, String noteId, String username, String role) throws UserError {
    if (!"viewer".equals(role) && !"editor".equals(role)) {
      throw new UserError("Share as viewer or editor.");
    }
    Optional<Resource> note = liveNote(owner, noteId).map(NotesService::resource);
    if (note.isEmpty() || !allowed(owner, "share", note.get(), "/notes/share")) {
      throw new UserError("That note does not exist (any more).");
    }
    AppStore.User teammate = store.userByName(canonicalOrTyped(username == null ? "" : username.trim()))
        .filter(t -> !t.id().equals(owner.id()))
        .orElseThrow(() -> new UserError("There is no teammate of that name in this organization."));
    if (!isMember(teammate.id(), note.get().tenant())) {
      audit.record(Action.AUTHZ_FAIL, owner.id(), null, Outcome.DENIED, "note", noteId,
          Map.of("action", "share", "reason", "not_a_member", "page", "/notes/share"));
      throw new UserError("There is no teammate of that name in this organization.");
    }
    bind(Binding.of("share:" + noteId + ":" + teammate.id(), Principal.user(teammate.id()), role,
        note.get().tenant(), Scope.resource("note", noteId)), owner.id());
  }

  /** A note {@code u} may read (its own or shared with them), decrypted; refused otherwise. */
  NoteView readNote(AppStore.User u, String noteId) throws UserError {
    Optional<AppStore.NoteRow> row = liveNote(u, noteId);
    if (row.isEmpty() || !allowed(u, "read", resource(row.get()), "/notes/read")) {
      throw new UserError("That note does not exist (any more).");
    }
    return view(row.get());
  }

  private NoteView view(AppStore.NoteRow row) {
    String text;
    try {
      text = new String(envelope.decrypt(Base64.getDecoder().decode(row.ciphertextBase64()),
          context(row.ownerId(), row.id())), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      text = "(this note cannot be decrypted)";
    }
    return new NoteView(row.id(), text, row.createdAt(), false, Optional.empty());
  }

  /** Notes other users shared with {@code u} that {@code u} may still read. */
  List<NoteView> sharedWith(AppStore.User u) {
    Principal me = Principal.user(u.id());
    List<NoteView> out = new ArrayList<>();
    for (Binding b : access.authorizer().policy().bindings()) {
      if (!b.principal().equals(me) || !b.id().startsWith("share:") || b.scope().resourceId().isEmpty()) {
        continue;
      }
      String noteId = b.scope().resourceId().get();
      Optional<AppStore.NoteRow> row = store.note(b.tenant(), noteId).filter(this::live);
      if (row.isPresent() && access.authorizer().check(me, "read", resource(row.get())).allowed()) {
        out.add(view(row.get()));
      }
    }
    return out;
  }

  /** Whether {@code u} may edit the note (owner or editor); no audit record (for rendering). */
  boolean mayEdit(AppStore.User u, String noteId) {
    return liveNote(u, noteId).map(r -> access.authorizer().check(Principal.user(u.id()), "edit", resource(r)).allowed())
        .orElse(false);
  }

  /** Replaces the text of a note {@code u} may edit (its owner, or an editor it was shared with). */
  void editNote(AppStore.User u, String noteId, String text) throws UserError {
    if (text == null || text.isBlank() || text.length() > MAX_NOTE_CHARS) {
      throw new UserError("Notes are 1 to " + MAX_NOTE_CHARS + " characters long.");
    }
    Optional<AppStore.NoteRow> found = liveNote(u, noteId);
    if (found.isEmpty() || !allowed(u, "edit", resource(found.get()), "/notes/edit")) {
      throw new UserError("That note does not exist (any more), or you may only read it.");
    }
    AppStore.NoteRow row = found.get();
    byte[] ct;
    try {
      ct = envelope.forKeyring(scope(row.ownerId())).encrypt(text.getBytes(StandardCharsets.UTF_8),
          context(row.ownerId(), row.id()));
    } catch (GeneralSecurityException e) {
      throw new UserError("The note could not be encrypted, so it was not saved.");
    }
    if (!store.updateNote(row.orgId(), row.id(), Base64.getEncoder().encodeToString(ct))) {
      throw new UserError("That note does not exist (any more).");
    }
    audit.record(Action.SENSITIVE_UPDATE, u.id(), null, Outcome.SUCCESS, "note", row.id(),
        Map.of("keyring", scope(row.ownerId()), "bytes", Integer.toString(ct.length)));
  }

  /**
   * Deletes the account: erases its notes (lifecycle evidence), shreds its key (crypto receipt),
   * removes its factors and sessions. Needs a recent re-authentication.
   */
  ErasureReport deleteAccount(Session s, AppStore.User u) throws UserError {
    requireReauthentication(s, u);
    ErasureReport report;
    try {
      report = lifecycle.erase(u.id(), Optional.empty(), true, Attribution.of(u.id(), "account deleted by its owner"));
    } catch (LifecycleException e) {
      throw new UserError("The account could not be deleted: " + e.getMessage());
    }
    String home = homeOrganization(u.id());
    for (AppStore.NoteRow row : store.notesOf(home, u.id())) {
      store.forgetNote(home, row.id());
    }
    totp.remove(u.id());
    for (StoredCredential c : passkeys.forUsername(u.id())) {
      webauthn.removeCredential(u.id(), c.credentialId());
    }
    totp.cancelPendingEnrollment(u.id());
    sessions.revokeAll(u.id());
    store.deleteUser(u.id());
    audit.record(Action.USER_DELETED, u.id(), null, Outcome.SUCCESS, "user", u.id(),
        Map.of("key_shredded", String.valueOf(report.keyShredReceipt().isPresent())));
    return report;
  }

  // ---------------------------------------------------------------- admin

  /** What the admin page shows. */
  record AdminView(Optional<VerificationReport> report, Optional<String> verifyError, List<LoggedEvent> latest,
      Optional<String> readError, AuditHealth health, Optional<PurgeScheduler.Outcome> lastPurge, long lostEvents) {}

  AdminView adminView(AppStore.User admin, int latestCount) {
    audit.record(Action.AUTHZ_ADMIN, admin.id(), "webauthn", Outcome.SUCCESS, "page", "/admin", Map.of());
    Optional<VerificationReport> report = Optional.empty();
    Optional<String> verifyError = Optional.empty();
    try {
      report = Optional.of(verify());
    } catch (RuntimeException e) {
      verifyError = Optional.of("The log could not be read at all: " + e.getMessage());
    }
    List<LoggedEvent> latest = List.of();
    Optional<String> readError = Optional.empty();
    try (var events = auditLog.query(AuditQuery.ALL)) {
      List<LoggedEvent> all = events.toList();
      List<LoggedEvent> tail = new ArrayList<>(all.subList(Math.max(0, all.size() - latestCount), all.size()));
      Collections.reverse(tail);
      latest = tail;
    } catch (RuntimeException e) {
      readError = Optional.of("The latest events could not be read: " + e.getMessage());
    }
    return new AdminView(report, verifyError, latest, readError, auditLog.health(), purgeScheduler.lastOutcome(),
        audit.lost());
  }

  /** Runs the verifier over the stored log (a fresh read-only view of the files or table). */
  VerificationReport verify() {
    return readOnlyAudit.verify(verifier);
  }

  PurgeScheduler.Outcome runPurgeNow(AppStore.User admin) {
    audit.record(Action.AUTHZ_ADMIN, admin.id(), "webauthn", Outcome.SUCCESS, "job", "purge", Map.of());
    return purgeScheduler.runOnce();
  }

  /** Records the shutdown; Spring closes the audit log, its store and the schedules after this. */
  @Override
  public void close() {
    audit.record(Action.SYS_SHUTDOWN, "bulwark-notes", null, Outcome.SUCCESS, null, null, Map.of());
    store.close();
  }
}
