package io.github.multiprocessing4j.internal.events;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * Keeps {@link FlightEvents#recording()} in step with the flight recorder: true while any recording
 * runs. Loaded only by {@link FlightEvents}' static initializer, which catches the
 * {@link LinkageError} this class gives in a runtime without {@code jdk.jfr}.
 */
final class RecordingWatch implements FlightRecorderListener {

  private RecordingWatch() {}

  static void install() {
    if (FlightRecorder.isAvailable()) {
      // Told at once if the recorder is already up (a -XX:StartFlightRecording), later otherwise.
      FlightRecorder.addListener(new RecordingWatch());
    }
  }

  @Override
  public void recorderInitialized(FlightRecorder recorder) {
    update(recorder);
  }

  @Override
  public void recordingStateChanged(Recording changed) {
    update(FlightRecorder.getFlightRecorder());
  }

  private static void update(FlightRecorder recorder) {
    boolean running = false;
    try {
      for (Recording r : recorder.getRecordings()) {
        running |= r.getState() == RecordingState.RUNNING;
      }
    } catch (RuntimeException e) {
      running = true; // cannot tell: let the events' own shouldCommit() decide
    }
    FlightEvents.recording(running);
  }
}
