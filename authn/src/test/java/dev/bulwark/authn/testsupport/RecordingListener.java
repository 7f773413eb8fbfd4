package dev.bulwark.authn.testsupport;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Collects events for assertions. */
public final class RecordingListener implements SecurityEventListener {

  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(SecurityEvent event) {
    events.add(event);
  }

  public List<SecurityEvent> events() {
    return List.copyOf(events);
  }

  public List<String> types() {
    return events.stream().map(SecurityEvent::type).collect(Collectors.toList());
  }

  public long count(String type) {
    return events.stream().filter(e -> e.type().equals(type)).count();
  }

  public void clear() {
    events.clear();
  }
}
