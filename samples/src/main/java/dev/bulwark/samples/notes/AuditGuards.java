package dev.bulwark.samples.notes;

import dev.bulwark.authn.SecurityEventGuard;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.crypto.KeyEventGuard;
import dev.bulwark.crypto.KeyEventListener;
import dev.bulwark.lifecycle.LifecycleEventGuard;
import dev.bulwark.lifecycle.spi.LifecycleListener;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Makes the starter's audit listeners fail-closed: the listeners that append authn's, crypto's and
 * lifecycle's events to the audit log (beans named {@code bulwarkAudit...}) are each wrapped in
 * their module's guard with {@code failClosed(true)}, so an operation whose record cannot be
 * written is refused (a login does not succeed, a purge stops) instead of going on unrecorded.
 * Every such failure is printed on standard error and counted ({@link #lost()}). Other listeners
 * (the Micrometer bridge) are left as they are.
 */
final class AuditGuards implements BeanPostProcessor {

  private final LongAdder lost = new LongAdder();

  long lost() {
    return lost.sum();
  }

  private void report(String type, Exception failure) {
    lost.increment();
    System.err.println("bulwark-notes: audit event " + type + " was not recorded: " + failure.getMessage());
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!beanName.startsWith("bulwarkAudit")) {
      return bean;
    }
    if (bean instanceof SecurityEventListener l) {
      return SecurityEventGuard.builder(l).fallback((e, failure) -> report(e.type(), failure)).failClosed(true).build();
    }
    if (bean instanceof KeyEventListener l) {
      return KeyEventGuard.builder(l).fallback((e, failure) -> report(e.type(), failure)).failClosed(true).build();
    }
    if (bean instanceof LifecycleListener l) {
      return LifecycleEventGuard.builder(l).fallback((e, failure) -> report(e.name(), failure)).failClosed(true).build();
    }
    return bean;
  }
}
