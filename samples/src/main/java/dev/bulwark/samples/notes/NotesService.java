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

/**
 * The notes service: wires crypto, authn, audit and lifecycle together and offers the operations
 * the web pages call. Every failure meant for the user is a {@link UserError} with a readable
 * message. Thread-safe.
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

  private final Clock clock;
  private final Path dataDir;
  private final AppStore store;
  private final AuditStore auditStore;
  private final Path auditDir;
  private final DataSource dataSource;
  private final AuditLog auditLog;
  private final AuditVerifier verifier;
  private final AuditBridge audit;
  private final Keyrings keyrings;
  private final Envelope envelope;
  private final PasswordHasher hasher = PasswordHasher.builder().build();
  private final PasswordPolicy passwordPolicy = PasswordPolicy.nist();
  private final Lockout lockout;
  private final TotpAuthenticator totp;
  private final LoginFlow loginFlow;
  private final CredentialStore passkeys;
  private final WebAuthn webauthn;
  private final Sessions sessions;
  private final StepUp stepUp;
  private final LifecycleStore lifecycleStore;
  private final Lifecycle lifecycle;
  private final PurgeScheduler purgeScheduler;
  private final ScheduledExecutorService scheduler;
  private final Map<String, TotpEnrollment> pendingTotp = new ConcurrentHashMap<>();
  private final AccessControl access;
  private final RateLimiter signups;
  private final RateLimiter logins;
  private final RateLimiter noteCreation;
  private final java.util.concurrent.atomic.AtomicLong passwordHashes = new java.util.concurrent.atomic.AtomicLong();
  private final AccountDirectory directory;
  /** authn's purge of expired rows (PostgreSQL mode; the in-memory stores expire entries themselves). */
  private final Optional<PurgeSchedule> authnPurge;

  NotesService(NotesApp.Options options, Clock clock, String webOrigin) throws Exception {
    this.clock = clock;
    this.dataDir = options.dataDir();
    Files.createDirectories(dataDir);

    // crypto: a local master key file (demo only: production keeps it in a KMS or secret store)
    // wraps the keyring file; every user gets a keyring of their own: the shredding scope.
    // audit: hash-chained log with Ed25519-signed checkpoints anchored in a second directory.
    CheckpointSigner signer = CheckpointSigner.of(ORIGIN, checkpointKey(dataDir));
    DirectoryAnchor anchor = new DirectoryAnchor(dataDir.resolve("audit-anchor"));
    if (options.postgresUrl().isPresent()) {
      // Two roles, as in a deployment: the owner runs the migration (tables, row-level security,
      // grants); everything else runs as the application role, which must not be able to bypass
      // row-level security: RlsVerifier refuses to start otherwise, before anything is served.
      PGSimpleDataSource pg = dataSource(options.postgresUrl().get(), options.postgresUser(), NotesApp.APP_PASSWORD_ENV);
      if (options.postgresOwner().isPresent()) {
        JdbcAppStore.migrate(dataSource(options.postgresUrl().get(), options.postgresOwner().get(),
            NotesApp.OWNER_PASSWORD_ENV), options.postgresUser());
      }
      RlsVerifier.requireSafe(pg, JdbcAppStore.TENANT_TABLES);
      this.dataSource = pg;
      this.auditDir = null;
      this.auditStore = new JdbcAuditStore(pg, "bulwark-notes");
    } else {
      this.dataSource = null;
      this.auditDir = dataDir.resolve("audit");
      this.auditStore = FileAuditStore.open(auditDir);
    }
    this.auditLog = AuditLog.builder(ORIGIN, auditStore).clock(clock).signer(signer).anchor(anchor)
        .checkpointEvery(64, Duration.ofMinutes(1))
        .retention(new dev.bulwark.audit.AuditRetentionPolicy("notes-400d", Duration.ofDays(400))).build();
    this.verifier = AuditVerifier.builder(ORIGIN).trust(signer.publicKey()).anchor(anchor).build();
    this.audit = new AuditBridge(auditLog, clock);
    SecurityEventListener listener = audit.authn;
    // authz: every user has an organization of their own (its admin); an admin invites teammates
    // into it; a note belongs to its owner's organization, and its owner shares it with a
    // teammate there as viewer or editor. Bindings in memory, or in authz's tables with --postgres.
    this.access = AccessControl.builder(dataSource != null ? JdbcAuthzStore.create(dataSource) : new InMemoryAuthzStore())
        .clock(clock)
        .listener(e -> audit.record(Action.AUTHZ_CHANGE, e.actor(), null, Outcome.SUCCESS, "binding", e.subject(),
            Map.of("type", e.type().name().toLowerCase(java.util.Locale.ROOT), "revision", Long.toString(e.revision()))))
        .build();
    access.loadPolicy(notesPolicy(), "bulwark-notes");
    // ratelimit: GCRA limiters that deny when their store cannot decide (the default policy);
    // in memory, or one PostgreSQL table shared by every node with --postgres.
    RateLimitStore rateStore = dataSource != null ? JdbcRateLimitStore.create(dataSource)
        : InMemoryRateLimitStore.builder().clock(clock).maxKeys(100_000).build();
    this.signups = RateLimiter.builder("notes-signup", rateStore)
        .quota(Quota.of("signup", REGISTRATIONS_PER_SOURCE, REGISTRATION_WINDOW)).clock(clock).build();
    this.logins = RateLimiter.builder("notes-login", rateStore)
        .quota(Quota.of("login", LOGINS_PER_SOURCE, LOGIN_WINDOW)).clock(clock).build();
    this.noteCreation = RateLimiter.builder("notes-create", rateStore)
        .quota(Quota.of("notes", NOTES_PER_WINDOW, NOTE_WINDOW).withBurst(NOTES_BURST)).clock(clock).build();

    // crypto: a local master key file (demo only: production keeps it in a KMS or secret store)
    // wraps the keyring file; every user gets a keyring of their own: the shredding scope. Key
    // creation, rotation and shredding are audit events.
    var master = KekProviders.masterKey(secretFile(dataDir.resolve("master.key"), 32));
    this.keyrings = Keyrings.builder(KeyringStores.encryptedFile(dataDir.resolve("keyring.bin"), master),
        KekProviders.local(master)).clock(clock).listener(audit.crypto).build();
    this.envelope = Envelope.builder(keyrings).keyringId("app").build();

    // authn stores: in memory by default, PostgreSQL with --postgres.
    AttemptStore attempts;
    UsedTotpStepStore usedSteps;
    SessionStore sessionStore;
    ChallengeStore challenges;
    if (dataSource != null) {
      this.store = new JdbcAppStore(dataSource);
      // The lifecycle tables were made by the owner's migration (JdbcAppStore.migrate, the
      // explicit set-up step; bulwark lifecycle init in a deployment); here they are only checked.
      this.lifecycleStore = JdbcLifecycleStore.create(dataSource,
          TableMapping.of(NOTE, JdbcAppStore.NOTE_LIFECYCLE_TABLE).withSubject("owner_id").withOperation("delete_op"));
      JdbcAttemptStore jdbcAttempts = new JdbcAttemptStore(dataSource, clock);
      JdbcUsedTotpStepStore jdbcSteps = new JdbcUsedTotpStepStore(dataSource, clock);
      JdbcSessionStore jdbcSessions = new JdbcSessionStore(dataSource);
      JdbcChallengeStore jdbcChallenges = new JdbcChallengeStore(dataSource);
      attempts = jdbcAttempts;
      usedSteps = jdbcSteps;
      sessionStore = jdbcSessions;
      challenges = jdbcChallenges;
      this.passkeys = new JdbcCredentialStore(dataSource);
      // Every authn table with expiring rows is purged by authn's schedule (started below): an
      // unauthenticated flood of login/start calls or wrong guesses must not leave rows for good.
      this.authnPurge = Optional.of(PurgeSchedule.builder().attempts(jdbcAttempts).challenges(jdbcChallenges)
          .sessions(jdbcSessions).totpSteps(jdbcSteps).every(AUTHN_PURGE_INTERVAL).clock(clock)
          .onError((task, e) -> System.err.println("bulwark-notes: purge of " + task + " failed: " + e.getMessage()))
          .build());
    } else {
      InMemoryHostRecords lc = InMemoryHostRecords.of(NOTE);
      this.lifecycleStore = LifecycleStore.inMemory(lc);
      this.store = new MemoryAppStore(lc);
      attempts = AttemptStore.inMemory(clock);
      usedSteps = UsedTotpStepStore.inMemory(clock);
      sessionStore = new InMemorySessionStore(clock);
      challenges = new InMemoryChallengeStore(clock);
      this.passkeys = new InMemoryCredentialStore();
      this.authnPurge = Optional.empty();
    }

    // Lockout: five free failures, then a pause that starts at one minute and doubles to 15.
    LockoutRule rule = new LockoutRule(5, Duration.ofMinutes(1), Duration.ofMinutes(15), 0, Duration.ofHours(24));
    this.lockout = Lockout.builder(attempts).clock(clock).listener(listener)
        .policy(LockoutPolicy.defaults().withAccountRule(rule)
            .withFactorRule(Factor.PASSWORD, new LockoutRule(5, Duration.ofMinutes(1), Duration.ofMinutes(15), 100,
                Duration.ofDays(365))))
        .build();
    Envelope seeds = envelope.forKeyring("totp-seeds");
    this.totp = TotpAuthenticator.builder(store.totpCredentials(), usedSteps)
        .seedProtector(SeedProtector.of(
            (seed, credentialId) -> seeds.encrypt(seed, EncryptionContext.of("purpose", "totp-seed", "credential", credentialId)),
            (box, credentialId) -> seeds.decrypt(box, EncryptionContext.of("purpose", "totp-seed", "credential", credentialId))))
        .clock(clock).listener(listener).build();
    // Usernames are stored in their canonical form (authn's PRECIS default), the form LoginFlow
    // looks them up and counts failures under.
    this.directory = new AccountDirectory() {
      @Override
      public Optional<Account> find(String username) {
        return store.userByName(username).map(u -> new Account(u.id(), u.passwordHash(), u.roles()));
      }

      @Override
      public void updatePasswordHash(String accountId, String newHash) {
        store.updatePasswordHash(accountId, newHash);
      }
    };
    // One step: password and code are checked together, and a wrong password, a missing code and a
    // wrong code get the same answer, so a stolen password list cannot be validated here.
    this.loginFlow = LoginFlow.builder(directory, hasher, lockout).totp(totp).mfaPolicy(MfaPolicy.everyone())
        .oneStep(true).clock(clock).listener(listener).build();
    this.webauthn = WebAuthn.builder(WebAuthnPolicy.of("localhost", "Bulwark Notes", webOrigin)
            .withResidentKey(WebAuthnPolicy.ResidentKey.REQUIRED), passkeys)
        .challenges(challenges).clock(clock).listener(listener).build();
    this.sessions = Sessions.builder(sessionStore).policy(SessionPolicy.nist(AssuranceLevel.AAL2)).clock(clock)
        .listener(listener).build();
    this.stepUp = new StepUp(clock, listener);

    // lifecycle: notes in the trash are purged after 30 days; the scheduler runs hourly.
    this.lifecycle = Lifecycle.builder(lifecycleStore)
        .policies(RetentionPolicies.defaultsWith(
            RetentionPolicy.purgeAfter(NOTE, Period.ofYears(10)).withMaxRecoveryWindow(Period.ofDays(30))))
        .clock(clock).listener(audit.lifecycle).keyShredder(this::shredUserKey).build();
    this.purgeScheduler = new PurgeScheduler(lifecycle.purgeRunner());
    this.scheduler = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "bulwark-notes-jobs");
      t.setDaemon(true);
      return t;
    });
    purgeScheduler.start(scheduler, Duration.ofMinutes(1), Duration.ofHours(1));
    scheduler.scheduleWithFixedDelay(() -> quietly(auditLog::tick), 5, 5, TimeUnit.SECONDS);
    scheduler.scheduleWithFixedDelay(() -> quietly(auditLog::applyRetention), 1, 24, TimeUnit.HOURS);
    authnPurge.ifPresent(PurgeSchedule::start);
    audit.record(Action.SYS_STARTUP, "bulwark-notes", null, Outcome.SUCCESS, null, null,
        Map.of("storage", dataSource != null ? "postgresql" : "files"));
  }

  private static void quietly(Runnable job) {
    try {
      job.run();
    } catch (RuntimeException e) {
      System.err.println("bulwark-notes: scheduled job failed: " + e.getMessage());
    }
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

  /** The organization {@code userId} owns (created with the account). */
  static String homeOrganization(String userId) {
    return "org-" + userId;
  }

  /**
   * Connections as {@code user} on {@code url}; the password, when the server asks for one, comes
   * from the environment variable {@code passwordEnv} (never from the command line).
   */
  private static PGSimpleDataSource dataSource(String url, String user, String passwordEnv) {
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setURL(url);
    pg.setUser(user);
    String password = System.getenv(passwordEnv);
    if (password != null && !password.isEmpty()) {
      pg.setPassword(password);
    }
    return pg;
  }

  /** Reads a random secret file, creating it (owner-only) on first start. */
  private static byte[] secretFile(Path file, int sizeBytes) throws IOException {
    if (!Files.exists(file)) {
      byte[] key = new byte[sizeBytes];
      RANDOM.nextBytes(key);
      Files.write(file, key, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      ownerOnly(file);
    }
    byte[] key = Files.readAllBytes(file);
    if (key.length != sizeBytes) {
      throw new IOException(file + " must hold exactly " + sizeBytes + " bytes");
    }
    return key;
  }

  private static void ownerOnly(Path file) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  /** The Ed25519 checkpoint key pair (PKCS#8 + X.509 files), created on first start. */
  private static KeyPair checkpointKey(Path dir) throws IOException, GeneralSecurityException {
    Path priv = dir.resolve("checkpoint-ed25519.pk8");
    Path pub = dir.resolve("checkpoint-ed25519.pub");
    KeyFactory kf = KeyFactory.getInstance("Ed25519");
    if (!Files.exists(priv)) {
      KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Files.write(pub, kp.getPublic().getEncoded(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.write(priv, kp.getPrivate().getEncoded(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      ownerOnly(priv);
      return kp;
    }
    return new KeyPair(kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub))),
        kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv))));
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
    return Optional.ofNullable(auditDir);
  }

  static String scope(String userId) {
    return "user-" + userId;
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
      return sessions.create(user.id(), AssuranceLevel.AAL1, Map.of(Factor.PASSWORD, clock.instant()));
    } catch (SessionException e) {
      throw new UserError("Could not start a session: " + e.getMessage());
    }
  }

  /**
   * Password + TOTP login in one step through authn's LoginFlow (lockout, MFA policy, audit
   * events): a wrong password, a missing code and a wrong code get the same answer.
   */
  IssuedSession login(String username, String password, String code, String sourceIp) throws UserError {
    RateLimitDecision admitted = logins.acquire(RateLimitKey.builder().source(String.valueOf(sourceIp)).build());
    if (admitted.denied()) {
      throw limited(admitted, "anonymous", "/login", sourceIp, "Too many sign-in attempts from your address; try again in "
          + minutes(admitted.retryAfter()) + ".");
    }
    if (username == null || username.isBlank() || password == null || password.isEmpty()) {
      throw new UserError("Enter your username and password.");
    }
    if (username.length() > 256 || password.length() > PasswordHasher.MAX_PASSWORD_CHARS) {
      throw new UserError("Wrong username, password or code.");
    }
    LoginRequest request = LoginRequest.of(username, password, Optional.of(sourceIp));
    String trimmed = code == null ? "" : code.replace(" ", "").trim();
    if (!trimmed.isEmpty()) {
      request = request.withSecondFactor(SecondFactorResponse.totp(trimmed));
    }
    LoginResult r = loginFlow.login(request);
    switch (r.outcome()) {
      case SUCCESS: {
        Instant now = clock.instant();
        Map<Factor, Instant> factors = new EnumMap<>(Factor.class);
        r.factors().forEach(f -> factors.put(f, now));
        try {
          return sessions.create(r.accountId().get(), r.assuranceLevel().get(), factors);
        } catch (SessionException e) {
          throw new UserError("Could not start a session: " + e.getMessage());
        }
      }
      case LOCKED:
        throw new UserError(lockedMessage(r.retryAfter()));
      case SECOND_FACTOR_ENROLLMENT_REQUIRED:
        throw new UserError("This account has not finished setting up its authenticator app. Sign in with a passkey instead.");
      default: {
        // LoginFlow counted this failure with a reservation. Whether the next attempt would be
        // admitted is asked the same way, atomically: a reservation of the same keys (canonical
        // identifier, the factors presented, the source), given straight back when admitted.
        // The answer depends only on the counts, never on which part of the request was wrong.
        Set<Factor> presented = trimmed.isEmpty() ? EnumSet.of(Factor.PASSWORD) : EnumSet.of(Factor.PASSWORD, Factor.TOTP);
        Lockout.Attempt next = lockout.reserve(canonicalOrTyped(username), presented, Optional.of(sourceIp));
        if (!next.admitted()) {
          throw new UserError("Wrong username, password or code. " + lockedMessage(next.status().retryAfter()));
        }
        lockout.refund(next);
        throw new UserError("Wrong username, password or code.");
      }
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
    Map<String, String> details = new java.util.TreeMap<>();
    details.put("reason", d.reason().name().toLowerCase(java.util.Locale.ROOT));
    if (sourceIp != null) {
      details.put("source", sourceIp);
    }
    audit.record(Action.EXCESS_RATE_LIMIT_EXCEEDED, actor, null, Outcome.DENIED, "page", page, details);
    if (d.reason() == RateLimitDecision.Reason.STORE_UNAVAILABLE) {
      return new RateLimited("The service cannot take this request right now; try again in a minute.", d);
    }
    return new RateLimited(message, d);
  }

  private static String minutes(Duration retryAfter) {
    long minutes = Math.max(1, (retryAfter.toSeconds() + 59) / 60);
    return minutes + (minutes == 1 ? " minute" : " minutes");
  }

  private static String lockedMessage(Duration retryAfter) {
    long minutes = Math.max(1, (retryAfter.toSeconds() + 59) / 60);
    return "Too many failed attempts: sign-in to this account is locked for " + minutes
        + (minutes == 1 ? " minute." : " minutes.");
  }

  Optional<Session> session(String token) {
    if (token == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(sessions.validate(token));
    } catch (SessionException e) {
      return Optional.empty();
    }
  }

  Optional<AppStore.User> user(String userId) {
    return store.userById(userId);
  }

  void logout(String token) {
    sessions.revoke(token);
  }

  boolean hasTotp(AppStore.User u) {
    return totp.isEnrolled(u.id());
  }

  boolean hasPasskey(AppStore.User u) {
    return !passkeys.forUsername(u.username()).isEmpty();
  }

  List<StoredCredential> passkeysOf(AppStore.User u) {
    return List.copyOf(passkeys.forUsername(u.username()));
  }

  /** Starts (or shows again) a TOTP enrolment: the page shows its QR code and secret. */
  TotpEnrollment totpEnrollment(AppStore.User u) {
    return pendingTotp.computeIfAbsent(u.id(), id -> totp.beginEnrollment(id, "Bulwark Notes", u.username()));
  }

  /** Confirms the enrolment with a code and raises the session to AAL2 (new token). */
  IssuedSession confirmTotp(AppStore.User u, String token, String code) throws UserError {
    TotpEnrollment e = pendingTotp.get(u.id());
    if (e == null) {
      throw new UserError("Start the set-up again: scan the QR code, then enter the code.");
    }
    String c = code == null ? "" : code.replace(" ", "").trim();
    if (!CODE.matcher(c).matches()) {
      throw new UserError("Enter the 6 digits your authenticator app shows.");
    }
    try {
      if (!totp.confirmEnrollment(e, c)) {
        throw new UserError("That code is not right. Check the clock of your phone and try the current code.");
      }
    } catch (GeneralSecurityException ex) {
      throw new UserError("The code could not be checked; try again.");
    }
    pendingTotp.remove(u.id());
    try {
      return sessions.elevate(token, Factor.TOTP, clock.instant(), AssuranceLevel.AAL2);
    } catch (SessionException ex) {
      throw new UserError("Your session has ended; sign in again.");
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
   * and records the fresh verification in the session (new token).
   */
  IssuedSession reauthenticate(AppStore.User u, String token, String password, String code, String sourceIp)
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
    try {
      return sessions.elevate(token, Factor.TOTP, clock.instant(), r.assuranceLevel().orElseThrow());
    } catch (SessionException e) {
      throw new UserError("Your session has ended; sign in again.");
    }
  }

  Ceremony startPasskeyRegistration(Session s, AppStore.User u, String sourceIp) throws ReauthRequired {
    requireReauthentication(s, u);
    return webauthn.startRegistration(u.username(), u.username(), Optional.ofNullable(sourceIp));
  }

  void finishPasskeyRegistration(Session s, AppStore.User u, String ceremonyId, String json) throws UserError {
    requireReauthentication(s, u);
    try {
      StoredCredential c = webauthn.finishRegistration(ceremonyId, json);
      if (!c.username().equals(u.username())) {
        webauthn.removeCredential(c.username(), c.credentialId());
        throw new UserError("That passkey ceremony belongs to another session.");
      }
    } catch (WebAuthnException e) {
      throw new UserError("The passkey was not accepted (" + e.reason().name().toLowerCase(java.util.Locale.ROOT)
          .replace('_', ' ') + "). Try again.");
    }
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
    if (id.isEmpty() || !webauthn.removeCredential(u.username(), id)) {
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
      return sessions.create(u.id(), s.assuranceLevel(), s.factors());
    } catch (SessionException e) {
      throw new UserError("Your password was changed; sign in again.");
    }
  }

  /** Starts a passkey sign-in or step-up; the ceremony store bounds each source address's open ceremonies. */
  Ceremony startPasskeyLogin(Optional<AppStore.User> forUser, String sourceIp) {
    return webauthn.startAuthentication(forUser.map(AppStore.User::username), Optional.ofNullable(sourceIp));
  }

  private WebAuthnLogin finishAssertion(String ceremonyId, String json) throws UserError {
    try {
      return webauthn.finishAuthentication(ceremonyId, json);
    } catch (WebAuthnException e) {
      throw new UserError("The passkey sign-in failed (" + e.reason().name().toLowerCase(java.util.Locale.ROOT)
          .replace('_', ' ') + "). Try again.");
    }
  }

  /** Username-less passkey login: a new session verified by WebAuthn. */
  IssuedSession finishPasskeyLogin(String ceremonyId, String json) throws UserError {
    WebAuthnLogin login = finishAssertion(ceremonyId, json);
    AppStore.User u = store.userByName(login.username())
        .orElseThrow(() -> new UserError("This passkey belongs to an account that no longer exists."));
    try {
      return sessions.create(u.id(), login.suggestedLevel(), Map.of(Factor.WEBAUTHN, clock.instant()));
    } catch (SessionException e) {
      throw new UserError("Could not start a session: " + e.getMessage());
    }
  }

  /**
   * Step-up: re-verifies the signed-in user's passkey and elevates the session (new token) to the
   * level the credential proved: a synced, backup-eligible passkey AAL2, a device-bound one AAL3.
   */
  IssuedSession finishStepUp(AppStore.User u, String token, String ceremonyId, String json) throws UserError {
    WebAuthnLogin login = finishAssertion(ceremonyId, json);
    if (!login.username().equals(u.username())) {
      throw new UserError("Use a passkey of the account you are signed in with.");
    }
    try {
      return sessions.elevate(token, login);
    } catch (SessionException e) {
      throw new UserError("Your session has ended; sign in again.");
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

  /** lifecycle's KeyShredder: crypto-shreds the user's keyring (crypto reports it to the audit log). */
  private String shredUserKey(String userId) throws GeneralSecurityException {
    ShredReceipt r = keyrings.shred(scope(userId));
    return r.scope() + " versions " + r.versionsDestroyed() + " at " + r.shreddedAt();
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
    for (StoredCredential c : passkeys.forUsername(u.username())) {
      webauthn.removeCredential(u.username(), c.credentialId());
    }
    pendingTotp.remove(u.id());
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
    if (auditDir != null) {
      try (FileAuditStore readOnly = FileAuditStore.openReadOnly(auditDir)) {
        return verifier.verify(readOnly);
      }
    }
    try (JdbcAuditStore readOnly = new JdbcAuditStore(dataSource, "bulwark-notes", false)) {
      return verifier.verify(readOnly);
    }
  }

  PurgeScheduler.Outcome runPurgeNow(AppStore.User admin) {
    audit.record(Action.AUTHZ_ADMIN, admin.id(), "webauthn", Outcome.SUCCESS, "job", "purge", Map.of());
    return purgeScheduler.runOnce();
  }

  @Override
  public void close() {
    authnPurge.ifPresent(PurgeSchedule::close);
    scheduler.shutdownNow();
    purgeScheduler.close();
    audit.record(Action.SYS_SHUTDOWN, "bulwark-notes", null, Outcome.SUCCESS, null, null, Map.of());
    try {
      auditLog.close();
    } catch (RuntimeException e) {
      System.err.println("bulwark-notes: closing the audit log failed: " + e.getMessage());
    }
    try {
      auditStore.close();
    } catch (Exception e) {
      System.err.println("bulwark-notes: closing the audit store failed: " + e.getMessage());
    }
    store.close();
  }
}
