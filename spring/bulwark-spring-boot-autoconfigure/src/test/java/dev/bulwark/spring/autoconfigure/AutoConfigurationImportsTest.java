package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;

class AutoConfigurationImportsTest {

  @Test
  void importsFile_listsEveryAutoConfigurationClass_andOnlyThose() throws IOException, ClassNotFoundException {
    String name = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";
    List<String> listed;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      listed = Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
          .map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
    assertThat(listed).containsExactlyInAnyOrder(
        BulwarkAuditAutoConfiguration.class.getName(), BulwarkCryptoAutoConfiguration.class.getName(),
        BulwarkAuthnAutoConfiguration.class.getName(), BulwarkLifecycleAutoConfiguration.class.getName(),
        BulwarkSecurityAutoConfiguration.class.getName(), BulwarkRateLimitAutoConfiguration.class.getName(),
        BulwarkAuthzAutoConfiguration.class.getName(), BulwarkActuatorAutoConfiguration.class.getName(),
        BulwarkObservationAutoConfiguration.class.getName(),
        BulwarkWebAuthnAutoConfiguration.class.getName(), BulwarkWebSecurityAutoConfiguration.class.getName(),
        BulwarkSsoAutoConfiguration.class.getName());
    for (String c : listed) {
      assertThat(Class.forName(c).isAnnotationPresent(AutoConfiguration.class)).as(c).isTrue();
    }
  }
}
