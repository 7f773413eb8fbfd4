package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.LoginRequest;
import dev.bulwark.authn.flow.LoginResult;
import dev.bulwark.authn.flow.SecondFactorResponse;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.totp.PendingTotpEnrollment;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.Keyrings;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** TOTP from the starter: stores by {@code bulwark.authn.store}, seeds encrypted by the envelope, the flow uses it. */
class BulwarkTotpAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BulwarkAutoConfigurationTest.ALL).withPropertyValues(TestSecrets.all());

  @Test
  void withTheEnvelope_aTotpAuthenticatorEncryptsSeeds_andTheLoginFlowUsesIt() {
    Clock clock = Clock.fixed(Instant.parse("2026-06-01T10:00:00Z"), ZoneOffset.UTC);
    Map<String, Account> accounts = new ConcurrentHashMap<>();
    runner.withBean(Clock.class, () -> clock)
        .withBean(AccountDirectory.class, () -> user -> Optional.ofNullable(accounts.get(user)))
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(TotpAuthenticator.class).hasSingleBean(SeedProtector.class)
              .hasSingleBean(TotpCredentialStore.class).hasSingleBean(PendingTotpEnrollmentStore.class)
              .hasSingleBean(UsedTotpStepStore.class);
          accounts.put("root", new Account("u-root",
              context.getBean(PasswordHasher.class).hash("root long passphrase"), Set.of("admin")));
          TotpAuthenticator totp = context.getBean(TotpAuthenticator.class);
          TotpEnrollment e = totp.beginPendingEnrollment("u-root", "Example", "root@example.com");
          PendingTotpEnrollment pending = context.getBean(PendingTotpEnrollmentStore.class)
              .find("u-root", clock.instant()).orElseThrow();
          byte[] seed = e.uri().secret().copyBytes();
          assertThat(pending.protectedSeed()).isNotEqualTo(seed);
          // The seed is the envelope's ciphertext, bound to the credential id.
          Envelope envelope = context.getBean(Envelope.class);
          assertThat(envelope.decrypt(pending.protectedSeed(),
              EncryptionContext.of("purpose", "totp-seed", "credential", e.credentialId()))).isEqualTo(seed);
          String code = new TotpVerifier(e.uri().settings(), UsedTotpStepStore.inMemory(clock), clock)
              .codeAt(e.uri().secret(), clock.instant());
          assertThat(totp.confirmPendingEnrollment("u-root", code)).isTrue();

          LoginFlow flow = context.getBean(LoginFlow.class);
          LoginResult first = flow.login(LoginRequest.of("root", "root long passphrase", Optional.empty()));
          assertThat(first.outcome()).isEqualTo(LoginResult.Outcome.SECOND_FACTOR_REQUIRED);
          assertThat(first.acceptedSecondFactors()).containsExactly(Factor.TOTP);
        });
  }

  @Test
  void theApplicationsSeedProtector_andAuthenticator_win() {
    SeedProtector mine = SeedProtector.of((s, id) -> s.clone(), (b, id) -> b.clone());
    runner.withBean(SeedProtector.class, () -> mine).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(SeedProtector.class)).isSameAs(mine);
      assertThat(context).hasSingleBean(TotpAuthenticator.class);
    });
    TotpAuthenticator own = TotpAuthenticator.builder(TotpCredentialStore.inMemory(),
        UsedTotpStepStore.inMemory(Clock.systemUTC())).build();
    runner.withBean(TotpAuthenticator.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(TotpAuthenticator.class)).isSameAs(own);
    });
  }

  /** Without bulwark-crypto and without a protector of the application's, no authenticator: never clear seeds. */
  @Test
  void withoutAProtector_thereIsNoTotpAuthenticator() {
    runner.withClassLoader(new FilteredClassLoader(Keyrings.class, Envelope.class))
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(SeedProtector.class).doesNotHaveBean(TotpAuthenticator.class)
              .hasSingleBean(TotpCredentialStore.class).hasSingleBean(PendingTotpEnrollmentStore.class);
        });
  }
}
