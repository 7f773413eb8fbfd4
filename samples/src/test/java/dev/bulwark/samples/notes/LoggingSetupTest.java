package dev.bulwark.samples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The sample ships exactly one SLF4J provider (Spring Boot's Logback), so it starts without
 * SLF4J's "no providers" or "multiple providers" warnings, and Yubico's log lines are not lost
 * (Bulwark's System.Logger reports reach the same place through java.util.logging, which Spring
 * Boot bridges to SLF4J).
 */
class LoggingSetupTest {

  @Test
  void exactlyOneSlf4jProvider_andItIsNotTheSilentFallback() {
    long providers = ServiceLoader.load(SLF4JServiceProvider.class).stream().count();
    assertEquals(1, providers, "one provider on the runtime class path");
    assertFalse(LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory, "SLF4J fell back to no-operation");
    assertEquals("ch.qos.logback.classic.LoggerContext", LoggerFactory.getILoggerFactory().getClass().getName());
  }
}
