package dev.bulwark.samples.notes;

import dev.bulwark.audit.Action;
import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditRetentionPolicy;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.ChainKey;
import dev.bulwark.audit.CheckpointSigner;
import dev.bulwark.audit.DirectoryAnchor;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.Outcome;
import dev.bulwark.audit.jdbc.JdbcAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.PurgeSchedule;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.MfaPolicy;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.lockout.LockoutPolicy;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.session.SessionPolicy;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.authn.stepup.StepUp;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import dev.bulwark.authn.webauthn.spi.CredentialStore;
import dev.bulwark.authz.AccessControl;
import dev.bulwark.authz.AuthzListener;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.Keyrings;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.PurgeScheduler;
import dev.bulwark.lifecycle.RetentionPolicies;
import dev.bulwark.lifecycle.RetentionPolicy;
import dev.bulwark.ratelimit.Quota;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.spring.autoconfigure.BulwarkAuditProperties;
import dev.bulwark.authn.webauthn.WebAuthn;
import dev.bulwark.authn.webauthn.WebAuthnPolicy;
import dev.bulwark.spring.autoconfigure.BulwarkAuthnProperties;
import dev.bulwark.spring.autoconfigure.BulwarkConfigurationException;
import dev.bulwark.spring.security.AccountLookup;
import dev.bulwark.spring.security.BulwarkAuthenticationProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Period;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The sample's beans on top of the starter's. The starter provides the keyrings and envelope, the
 * password hasher (with its pepper), the lockout attempt store, sessions, step-up, the audit store,
 * chain key and checkpoint signer, lifecycle (over the store defined here), authz's access control
 * (over the store defined here), the rate-limit store and Spring Security's authentication provider.
 * The starter also provides WebAuthn (its credential and ceremony stores, the JSON endpoints) and
 * the session cookie repository. What it does not offer (yet) is defined here: the audit log with
 * its anchor and retention, the lockout's policy, the one-step login flow with TOTP, the relying
 * party's resident-key requirement, the account directory and lookup, the three per-route
 * limiters and the scheduled jobs.
 */
@Configuration(proxyBeanMethods = false)
class NotesConfiguration {

  static final String ORIGIN_LOG = "bulwark-notes";

  /** Fail-closed audit listeners (a static post-processor: it must exist before the listeners). */
  @Bean
  static AuditGuards notesAuditGuards() {
    return new AuditGuards();
  }

  @Bean
  DirectoryAnchor notesAuditAnchor(NotesProperties props) {
    return new DirectoryAnchor(props.dataDir().resolve("audit-anchor"));
  }

  /** The starter's audit store, signer and chain key, plus the anchor and a 400-day retention. */
  @Bean
  AuditLog notesAuditLog(BulwarkAuditProperties props, AuditStore store, CheckpointSigner signer, ChainKey chainKey,
      DirectoryAnchor anchor, Clock clock) {
    return AuditLog.builder(props.origin(), store).clock(clock).signer(signer).chainKey(chainKey).anchor(anchor)
        .checkpointEvery(props.checkpointEveryEvents(), props.checkpointInterval())
        .retention(new AuditRetentionPolicy("notes-400d", Duration.ofDays(400))).build();
  }

  @Bean
  AuditVerifier notesAuditVerifier(BulwarkAuditProperties props, CheckpointSigner signer, ChainKey chainKey,
      DirectoryAnchor anchor) {
    return AuditVerifier.builder(props.origin()).trust(signer.publicKey()).chainKey(chainKey).anchor(anchor).build();
  }

  /** The verifier's read-only view of the stored log: a fresh one each time, never the live store. */
  @Bean
  NotesService.ReadOnlyAudit notesReadOnlyAudit(AuditStore store, BulwarkAuditProperties props,
      ObjectProvider<DataSource> dataSource) {
    if (store instanceof FileAuditStore) {
      return verifier -> {
        try (FileAuditStore readOnly = FileAuditStore.openReadOnly(props.directory())) {
          return verifier.verify(readOnly);
        }
      };
    }
    if (store instanceof JdbcAuditStore) {
      DataSource ds = dataSource.getObject();
      return verifier -> {
        try (JdbcAuditStore readOnly = new JdbcAuditStore(ds, props.origin(), false)) {
          return verifier.verify(readOnly);
        }
      };
    }
    return verifier -> verifier.verify(store);
  }

  @Bean
  NotesAudit notesAudit(AuditLog log, Clock clock, AuditGuards guards) {
    return new NotesAudit(log, clock, guards);
  }

  /** Authz's binding changes as audit events. */
  @Bean
  AuthzListener notesAuthzAudit(ObjectProvider<NotesAudit> audit) {
    return e -> audit.getObject().record(Action.AUTHZ_CHANGE, e.actor(), null, Outcome.SUCCESS, "binding", e.subject(),
        Map.of("type", e.type().name().toLowerCase(Locale.ROOT), "revision", Long.toString(e.revision())));
  }

  /** Every SecurityEventListener bean (the starter's audit and Micrometer listeners) as one. */
  static SecurityEventListener listeners(ObjectProvider<SecurityEventListener> listeners) {
    List<SecurityEventListener> all = listeners.orderedStream().toList();
    return e -> all.forEach(l -> l.onEvent(e));
  }

  /**
   * The starter's session store, with NIST's presets per level except for AAL1: an account's first,
   * password-only session (it can only set up the authenticator app) lives like an AAL2 one, 1 hour
   * idle and 24 hours at most, not the 30 days NIST allows at AAL1. (The starter has no property
   * for session policies.)
   */
  @Bean
  Sessions notesSessions(SessionStore store, Clock clock, ObjectProvider<SecurityEventListener> listeners) {
    return Sessions.builder(store).policy(AssuranceLevel.AAL1, SessionPolicy.nist(AssuranceLevel.AAL2)).clock(clock)
        .listener(listeners(listeners)).build();
  }

  /** Five free failures, then a pause that starts at one minute and doubles up to 15. */
  @Bean
  Lockout notesLockout(AttemptStore attempts, Clock clock, ObjectProvider<SecurityEventListener> listeners) {
    LockoutRule rule = new LockoutRule(5, Duration.ofMinutes(1), Duration.ofMinutes(15), 0, Duration.ofHours(24));
    return Lockout.builder(attempts).clock(clock).listener(listeners(listeners))
        .policy(LockoutPolicy.defaults().withAccountRule(rule)
            .withFactorRule(Factor.PASSWORD, new LockoutRule(5, Duration.ofMinutes(1), Duration.ofMinutes(15), 100,
                Duration.ofDays(365))))
        .build();
  }

  /** Usernames are stored in their canonical form (authn's PRECIS default), the form LoginFlow looks up. */
  @Bean
  AccountDirectory notesAccounts(AppStore store) {
    return new AccountDirectory() {
      @Override
      public Optional<Account> find(String username) {
        return store.userByName(username).map(u -> new Account(u.id(), u.passwordHash(), u.roles()));
      }

      @Override
      public void updatePasswordHash(String accountId, String newHash) {
        store.updatePasswordHash(accountId, newHash);
      }
    };
  }

  /**
   * One step: password and code are checked together, and a wrong password, a missing code and a
   * wrong code get the same answer, so a stolen password list cannot be validated here. (The
   * starter's LoginFlow has no one-step switch, so the sample defines its own.)
   */
  @Bean
  LoginFlow notesLoginFlow(AccountDirectory accounts, PasswordHasher hasher, Lockout lockout, TotpAuthenticator totp,
      Clock clock, ObjectProvider<SecurityEventListener> listeners) {
    return LoginFlow.builder(accounts, hasher, lockout).totp(totp).mfaPolicy(MfaPolicy.everyone()).oneStep(true)
        .clock(clock).listener(listeners(listeners)).build();
  }

  /**
   * The starter's relying party ({@code bulwark.authn.webauthn.*}: {@code localhost}, origin
   * {@code http://localhost:PORT}) with resident keys required, so a passkey signs in without a
   * username; user verification is required by default.
   */
  @Bean
  WebAuthnPolicy notesWebAuthnPolicy(BulwarkAuthnProperties props) {
    BulwarkAuthnProperties.WebAuthnSettings w = props.webauthn();
    if (w.origins().size() != 1) {
      throw new BulwarkConfigurationException(BulwarkConfigurationException.Kind.INVALID_VALUE,
          "bulwark.authn.webauthn.origins", "the one origin of this server, http://localhost:PORT");
    }
    return WebAuthnPolicy.of(w.rpId(), w.rpName() == null ? w.rpId() : w.rpName(), w.origins().get(0).strip())
        .withResidentKey(WebAuthnPolicy.ResidentKey.REQUIRED);
  }

  /** A passkey names the account by its id: the roles of a passkey sign-in come from here. */
  @Bean
  AccountLookup notesAccountLookup(AppStore store) {
    return id -> store.userById(id).map(u -> new Account(u.id(), u.passwordHash(), u.roles()));
  }

  @Bean
  NotesService.Limiters notesLimiters(RateLimitStore store, Clock clock) {
    return new NotesService.Limiters(
        RateLimiter.builder("notes-signup", store)
            .quota(Quota.of("signup", NotesService.REGISTRATIONS_PER_SOURCE, NotesService.REGISTRATION_WINDOW))
            .clock(clock).build(),
        RateLimiter.builder("notes-login", store)
            .quota(Quota.of("login", NotesService.LOGINS_PER_SOURCE, NotesService.LOGIN_WINDOW)).clock(clock).build(),
        RateLimiter.builder("notes-create", store)
            .quota(Quota.of("notes", NotesService.NOTES_PER_WINDOW, NotesService.NOTE_WINDOW)
                .withBurst(NotesService.NOTES_BURST)).clock(clock).build());
  }

  /** The sign-in form's provider: the per-source limit, then the starter's provider over LoginFlow. */
  @Bean
  PasswordSignIn notesPasswordSignIn(BulwarkAuthenticationProvider provider, NotesService.Limiters limiters,
      Lockout lockout, AccountDirectory accounts, NotesAudit audit) {
    return new PasswordSignIn(provider, limiters.logins(), lockout, accounts, audit);
  }

  /** Notes in the trash are purged 30 days after deletion (a note itself is kept at most 10 years). */
  @Bean
  RetentionPolicies notesRetention() {
    return RetentionPolicies.defaultsWith(
        RetentionPolicy.purgeAfter(NotesService.NOTE, Period.ofYears(10)).withMaxRecoveryWindow(Period.ofDays(30)));
  }

  @Bean(destroyMethod = "close")
  PurgeScheduler notesPurgeScheduler(Lifecycle lifecycle) {
    return new PurgeScheduler(lifecycle.purgeRunner());
  }

  /** "Sign in with SSO": links the IdP's (issuer, subject) to a Notes account (used only when bulwark.sso.* is set). */
  @Bean
  NotesSsoAccounts notesSsoAccounts(NotesService service) {
    return new NotesSsoAccounts(service);
  }

  @Bean
  NotesService notesService(Clock clock, NotesProperties props, AppStore store, NotesAudit audit, AuditLog auditLog,
      AuditVerifier verifier, NotesService.ReadOnlyAudit readOnly, AuditStore auditStore,
      BulwarkAuditProperties auditProps, Envelope envelope, PasswordHasher hasher, Lockout lockout,
      TotpAuthenticator totp, LoginFlow loginFlow, AccountDirectory accounts, PasswordSignIn signIn,
      CredentialStore credentials, WebAuthn webauthn, Sessions sessions, StepUp stepUp, LifecycleStore lifecycleStore,
      Lifecycle lifecycle, PurgeScheduler purgeScheduler, AccessControl access, NotesService.Limiters limiters,
      ObjectProvider<PurgeSchedule> authnPurge) {
    return new NotesService(new NotesService.Parts(clock, store, audit, auditLog, verifier, readOnly,
        auditStore instanceof FileAuditStore ? Optional.of(auditProps.directory()) : Optional.empty(), envelope, hasher, lockout, totp, loginFlow, accounts, signIn, credentials, webauthn, sessions, stepUp,
        lifecycleStore, lifecycle, purgeScheduler, access, limiters, Optional.ofNullable(authnPurge.getIfAvailable()),
        props.dataDir()));
  }

  /** The scheduled jobs: audit checkpoints, audit retention, the lifecycle purge. */
  @Bean
  Jobs notesJobs(AuditLog auditLog, PurgeScheduler purge) {
    return new Jobs(auditLog, purge);
  }

  static final class Jobs {
    private final AuditLog auditLog;
    private final PurgeScheduler purge;

    Jobs(AuditLog auditLog, PurgeScheduler purge) {
      this.auditLog = auditLog;
      this.purge = purge;
    }

    @Scheduled(fixedDelay = 5, initialDelay = 5, timeUnit = java.util.concurrent.TimeUnit.SECONDS)
    void tick() {
      quietly(auditLog::tick);
    }

    @Scheduled(fixedDelay = 24, initialDelay = 1, timeUnit = java.util.concurrent.TimeUnit.HOURS)
    void retention() {
      quietly(auditLog::applyRetention);
    }

    @Scheduled(fixedDelay = 60, initialDelay = 1, timeUnit = java.util.concurrent.TimeUnit.MINUTES)
    void purge() {
      purge.runOnce();
    }

    private static void quietly(Runnable job) {
      try {
        job.run();
      } catch (RuntimeException e) {
        System.err.println("bulwark-notes: scheduled job failed: " + e.getMessage());
      }
    }
  }
}
