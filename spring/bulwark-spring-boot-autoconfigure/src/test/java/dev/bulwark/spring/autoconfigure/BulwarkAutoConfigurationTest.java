package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditQuery;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.LoggedEvent;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.LoginRequest;
import dev.bulwark.authn.flow.LoginResult;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import dev.bulwark.crypto.KekProviders;
import dev.bulwark.crypto.KeyringStores;
import dev.bulwark.crypto.Keyrings;
import dev.bulwark.crypto.spi.KekProvider;
import dev.bulwark.crypto.spi.KeyringStore;
import dev.bulwark.lifecycle.DataClass;
import dev.bulwark.lifecycle.Lifecycle;
import dev.bulwark.lifecycle.LifecycleStore;
import dev.bulwark.lifecycle.spi.HostRecords;
import dev.bulwark.spring.autoconfigure.internal.BulwarkConfigurationFailureAnalyzer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;

class BulwarkAutoConfigurationTest {

  static final AutoConfigurations ALL = AutoConfigurations.of(BulwarkAuditAutoConfiguration.class,
      BulwarkCryptoAutoConfiguration.class, BulwarkAuthnAutoConfiguration.class,
      BulwarkLifecycleAutoConfiguration.class);

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(ALL);

  /**
   * Every auto-configuration above with every secret set and the application's {@code dataSource}
   * (no {@code bulwark.*.store} property), so every store is JDBC: the ITs' runner.
   */
  static ApplicationContextRunner withDataSource(DataSource dataSource) {
    String[] props = Arrays.stream(TestSecrets.all()).filter(p -> !p.contains(".store=")).toArray(String[]::new);
    return new ApplicationContextRunner().withConfiguration(ALL)
        .withBean(DataSource.class, () -> dataSource)
        .withPropertyValues(props);
  }

  private static BulwarkConfigurationException bulwarkFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BulwarkConfigurationException e) {
        return e;
      }
    }
    throw new AssertionError("start-up failed without a BulwarkConfigurationException", failure);
  }

  private static List<String> auditActions(AuditLog log) {
    return log.query(AuditQuery.ALL).map(LoggedEvent::event).map(e -> e.action().name()).toList();
  }

  @Test
  void everyModule_isConfiguredFromProperties_andEncryptionRoundTrips() {
    runner.withPropertyValues(TestSecrets.all()).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(Envelope.class).hasSingleBean(Keyrings.class).hasSingleBean(AuditLog.class)
          .hasSingleBean(AuditVerifier.class).hasSingleBean(PasswordHasher.class).hasSingleBean(Sessions.class);
      // No AccountDirectory and no LifecycleStore: the beans that need the host's data are absent.
      assertThat(context).doesNotHaveBean(LoginFlow.class).doesNotHaveBean(Lifecycle.class);
      Envelope envelope = context.getBean(Envelope.class);
      EncryptionContext ctx = EncryptionContext.of(Map.of("table", "notes"));
      byte[] ct = envelope.encrypt("secret note".getBytes(StandardCharsets.UTF_8), ctx);
      assertThat(new String(envelope.decrypt(ct, ctx), StandardCharsets.UTF_8)).isEqualTo("secret note");
      // The keyring's creation is a key event; the audit bridge wrote it to the log.
      assertThat(auditActions(context.getBean(AuditLog.class))).contains("crypto_keyring_created");
    });
  }

  @Test
  void propertiesToString_neverShowsSecrets() {
    runner.withPropertyValues(TestSecrets.all()).run(context -> {
      String all = context.getBean(BulwarkCryptoProperties.class) + " " + context.getBean(BulwarkAuthnProperties.class)
          + " " + context.getBean(BulwarkAuditProperties.class);
      assertThat(all).doesNotContain(TestSecrets.MASTER_KEY).doesNotContain(TestSecrets.PEPPER)
          .doesNotContain(TestSecrets.CHAIN_KEY).doesNotContain(TestSecrets.CHECKPOINT_KEY).contains("(redacted)");
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"bulwark.crypto.master-key", "bulwark.authn.pepper", "bulwark.audit.chain-key",
      "bulwark.audit.checkpoint-key"})
  void missingSecret_outsideDevelopment_failsStartUpNamingIt(String property) {
    runner.withPropertyValues(TestSecrets.allBut(property + "=")).withPropertyValues("spring.profiles.active=prod")
        .run(context -> {
          assertThat(context).hasFailed();
          BulwarkConfigurationException e = bulwarkFailure(context.getStartupFailure());
          assertThat(e.kind()).isEqualTo(BulwarkConfigurationException.Kind.MISSING_SECRET);
          assertThat(e.property()).isEqualTo(property);
          FailureAnalysis analysis = new BulwarkConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
          assertThat(analysis).isNotNull();
          assertThat(analysis.getDescription()).contains(property).contains("not set");
          assertThat(analysis.getAction()).contains(property).contains("Base64");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "development"})
  void missingSecrets_inDevelopmentProfile_startWithThrowAwayKeys(String profile) {
    runner.withPropertyValues("spring.profiles.active=" + profile, "bulwark.crypto.store=memory",
        "bulwark.audit.store=memory", "bulwark.authn.store=memory").run(context -> {
          assertThat(context).hasNotFailed();
          Envelope envelope = context.getBean(Envelope.class);
          EncryptionContext ctx = EncryptionContext.of(Map.of("k", "v"));
          assertThat(envelope.decrypt(envelope.encrypt(new byte[] {1, 2}, ctx), ctx)).containsExactly(1, 2);
        });
  }

  @Test
  void developmentProfileWithoutSecrets_keepsNothingOnDisk_soTheNextStartWorks(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) {
    ApplicationContextRunner dev = runner.withPropertyValues("spring.profiles.active=dev",
        "bulwark.crypto.keyring-file=" + dir.resolve("keyrings.bin"), "bulwark.audit.directory=" + dir.resolve("audit"));
    for (int start = 0; start < 2; start++) {
      dev.run(context -> {
        assertThat(context).hasNotFailed();
        assertThat(context.getBean(AuditStore.class)).isInstanceOf(dev.bulwark.audit.InMemoryAuditStore.class);
        context.getBean(Envelope.class).encrypt(new byte[] {1}, EncryptionContext.of("k", "v"));
      });
    }
    assertThat(dir.resolve("keyrings.bin")).doesNotExist();
  }

  @Test
  void masterKeyOfWrongLength_failsNamingPropertyAndLength_withoutEchoingTheValue() {
    String shortKey = TestSecrets.random(16);
    runner.withPropertyValues(TestSecrets.all()).withPropertyValues("bulwark.crypto.master-key=" + shortKey)
        .run(context -> {
          BulwarkConfigurationException e = bulwarkFailure(context.getStartupFailure());
          assertThat(e.kind()).isEqualTo(BulwarkConfigurationException.Kind.INVALID_VALUE);
          assertThat(e.property()).isEqualTo("bulwark.crypto.master-key");
          assertThat(e.getMessage()).contains("exactly 32").contains("16 bytes").doesNotContain(shortKey);
        });
  }

  @Test
  void pepperThatIsNotBase64_failsNamingProperty() {
    runner.withPropertyValues(TestSecrets.all()).withPropertyValues("bulwark.authn.pepper=not*base64!")
        .run(context -> {
          BulwarkConfigurationException e = bulwarkFailure(context.getStartupFailure());
          assertThat(e.property()).isEqualTo("bulwark.authn.pepper");
          assertThat(e.getMessage()).contains("not Base64").doesNotContain("not*base64!");
        });
  }

  @Test
  void durationWithUnknownUnit_failsNamingProperty() {
    runner.withPropertyValues(TestSecrets.all()).withPropertyValues("bulwark.crypto.rotation-max-age=5 parsecs")
        .run(context -> {
          assertThat(context).hasFailed();
          StringBuilder chain = new StringBuilder();
          for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append('\n');
          }
          assertThat(chain.toString()).contains("bulwark.crypto.rotation-max-age");
        });
  }

  @Test
  void misspelledProperty_failsNamingIt() {
    runner.withPropertyValues(TestSecrets.all()).withPropertyValues("bulwark.crypto.rotation-max-ages=30d")
        .run(context -> {
          assertThat(context).hasFailed();
          StringBuilder chain = new StringBuilder();
          for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append('\n');
          }
          assertThat(chain.toString()).contains("bulwark.crypto.rotation-max-ages");
        });
  }

  @Test
  void negativeRotationAge_failsNamingProperty() {
    runner.withPropertyValues(TestSecrets.all()).withPropertyValues("bulwark.crypto.rotation-max-age=-1d")
        .run(context -> assertThat(bulwarkFailure(context.getStartupFailure()).property())
            .isEqualTo("bulwark.crypto.rotation-max-age"));
  }

  @Test
  void checkpointVerifierKeyOfAnotherKey_failsNamingIt() {
    runner.withPropertyValues(TestSecrets.all())
        .withPropertyValues("bulwark.audit.checkpoint-verifier-key=" + TestSecrets.OTHER_VERIFIER_KEY)
        .run(context -> {
          BulwarkConfigurationException e = bulwarkFailure(context.getStartupFailure());
          assertThat(e.property()).isEqualTo("bulwark.audit.checkpoint-verifier-key");
          assertThat(e.getMessage()).contains("another key");
        });
  }

  @Test
  void jdbcStoreWithoutDataSource_failsNamingProperty() {
    runner.withPropertyValues(TestSecrets.all()).withPropertyValues("bulwark.audit.store=jdbc")
        .run(context -> assertThat(bulwarkFailure(context.getStartupFailure()).property())
            .isEqualTo("bulwark.audit.store"));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnKeyManagement {
    @Bean
    KeyringStore keyringStore() {
      return KeyringStores.inMemory();
    }

    @Bean
    KekProvider kekProvider() throws Exception {
      return KekProviders.local(KekProviders.masterKey(new byte[32]));
    }
  }

  @Test
  void hostKeyManagement_replacesBeans_andNeedsNoMasterKey() {
    runner.withUserConfiguration(OwnKeyManagement.class)
        .withPropertyValues(TestSecrets.allBut("bulwark.crypto.master-key="))
        .withPropertyValues("spring.profiles.active=prod")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(KeyringStore.class)).isSameAs(context.getBean("keyringStore"));
          assertThat(context).hasSingleBean(KekProvider.class).hasSingleBean(Envelope.class);
        });
  }

  @Test
  void withoutCryptoOnClasspath_theRestStillStarts() {
    runner.withClassLoader(new FilteredClassLoader(Keyrings.class)).withPropertyValues(TestSecrets.all())
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(Envelope.class).hasSingleBean(AuditLog.class).hasSingleBean(Sessions.class);
        });
  }

  @Test
  void withoutAuditOnClasspath_cryptoStartsWithoutItsSecrets() {
    runner.withClassLoader(new FilteredClassLoader(AuditLog.class))
        .withPropertyValues(TestSecrets.allBut("bulwark.audit.")).withPropertyValues("spring.profiles.active=prod")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).hasSingleBean(Envelope.class).doesNotHaveBean(AuditStore.class);
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class Accounts {
    final Map<String, Account> accounts = new ConcurrentHashMap<>();

    @Bean
    AccountDirectory accountDirectory() {
      return username -> Optional.ofNullable(accounts.get(username));
    }

    @Bean
    LifecycleStore lifecycleStore() {
      return LifecycleStore.inMemory(HostRecords.inMemory(DataClass.SESSION));
    }
  }

  @Test
  void accountDirectoryBean_enablesLoginFlow_andALoginIsAuditedOnce() {
    runner.withUserConfiguration(Accounts.class).withPropertyValues(TestSecrets.all()).run(context -> {
      assertThat(context).hasSingleBean(LoginFlow.class).hasSingleBean(Lifecycle.class);
      String hash = context.getBean(PasswordHasher.class).hash("correct horse battery");
      context.getBean(Accounts.class).accounts.put("alice", new Account("alice", hash, Set.of()));
      LoginFlow flow = context.getBean(LoginFlow.class);
      LoginResult ok = flow.login(LoginRequest.of("alice", "correct horse battery", Optional.empty()));
      assertThat(ok.outcome()).isEqualTo(LoginResult.Outcome.SUCCESS);
      LoginResult bad = flow.login(LoginRequest.of("alice", "wrong", Optional.empty()));
      assertThat(bad.outcome()).isEqualTo(LoginResult.Outcome.FAILED);
      List<String> actions = auditActions(context.getBean(AuditLog.class));
      assertThat(actions.stream().filter("authn_login_success"::equals).count()).isEqualTo(1);
      assertThat(actions.stream().filter("authn_login_fail"::equals).count()).isEqualTo(1);
    });
  }

  @Test
  void failureAnalyzer_isRegisteredInSpringFactories() {
    List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
        .load(FailureAnalyzer.class, SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> { }));
    assertThat(analyzers).anyMatch(a -> a instanceof BulwarkConfigurationFailureAnalyzer);
  }
}
