package dev.bulwark.spring.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code bulwark.actuator.*}: health and the read-only endpoint.
 *
 * @param rotationOverdueStatus the keyring health status when a primary key is older than
 *     {@code bulwark.crypto.rotation-max-age}: DOWN or OUT_OF_SERVICE
 * @param verifyInterval how often the audit health check re-verifies the log (e.g. 5m)
 */
@ConfigurationProperties(prefix = "bulwark.actuator", ignoreUnknownFields = false)
public record BulwarkActuatorProperties(
    @DefaultValue("DOWN") String rotationOverdueStatus,
    @DefaultValue("5m") Duration verifyInterval) {}
