package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.AuditLog;
import dev.bulwark.audit.AuditVerifier;
import dev.bulwark.audit.FileAuditStore;
import dev.bulwark.audit.spi.AuditStore;
import dev.bulwark.crypto.EncryptionContext;
import dev.bulwark.crypto.Envelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Without a DataSource, AUTO keeps keyrings and the audit log in files that survive a restart. */
class BulwarkStoresTest {

  @TempDir
  Path dir;

  private ApplicationContextRunner runner() {
    String[] props = Arrays.stream(TestSecrets.all())
        .filter(p -> !p.startsWith("bulwark.crypto.store") && !p.startsWith("bulwark.audit.store"))
        .toArray(String[]::new);
    return new ApplicationContextRunner().withConfiguration(BulwarkAutoConfigurationTest.ALL)
        .withPropertyValues(props)
        .withPropertyValues("bulwark.crypto.keyring-file=" + dir.resolve("keyrings.bin"),
            "bulwark.audit.directory=" + dir.resolve("audit"));
  }

  @Test
  void withoutDataSource_filesAreUsed_andDataOutlivesTheContext() {
    EncryptionContext ctx = EncryptionContext.of("table", "notes");
    AtomicReference<byte[]> ciphertext = new AtomicReference<>();
    AtomicReference<Long> size = new AtomicReference<>();
    runner().run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(AuditStore.class)).isInstanceOf(FileAuditStore.class);
      ciphertext.set(context.getBean(Envelope.class).encrypt("kept".getBytes(StandardCharsets.UTF_8), ctx));
      size.set(context.getBean(AuditLog.class).size());
    });
    assertThat(size.get()).isPositive();
    runner().run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(new String(context.getBean(Envelope.class).decrypt(ciphertext.get(), ctx), StandardCharsets.UTF_8))
          .isEqualTo("kept");
      assertThat(context.getBean(AuditLog.class).size()).isGreaterThanOrEqualTo(size.get());
      assertThat(context.getBean(AuditVerifier.class).verify(context.getBean(AuditStore.class)).intact()).isTrue();
    });
  }
}
