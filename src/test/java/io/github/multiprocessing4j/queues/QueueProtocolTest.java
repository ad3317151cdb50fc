package io.github.multiprocessing4j.queues;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The bytes {@link QueueProtocol} writes and reads, pinned: client and owner are of one version,
 * but the layout its javadoc documents must stay the one on the wire.
 */
final class QueueProtocolTest {

  @Test
  void aWaitingRequestIsOpIdTimeoutItemAndANegativeTimeoutIsSentAsForever() {
    assertThat(QueueProtocol.request(QueueProtocol.PUT_WAIT, 0x0102, -5, new byte[] {7, 8}))
        .containsExactly(2, 0, 0, 0, 0, 0, 0, 1, 2, -1, -1, -1, -1, -1, -1, -1, -1, 7, 8);
    byte[] get = QueueProtocol.request(QueueProtocol.GET, 3, 0x0A0B, null);
    assertThat(get).hasSize(QueueProtocol.TIMED_HEADER)
        .containsExactly(3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0x0A, 0x0B);
    assertThat(QueueProtocol.id(get)).isEqualTo(3);
    assertThat(QueueProtocol.timeout(get)).isEqualTo(0x0A0B);
  }

  @Test
  void anUntimedRequestCarriesNoTimeoutAndAPutNoId() {
    assertThat(QueueProtocol.request(QueueProtocol.QSIZE, 4, QueueProtocol.UNTIMED, null))
        .containsExactly(5, 0, 0, 0, 0, 0, 0, 0, 4);
    assertThat(QueueProtocol.request(QueueProtocol.FENCE, 6)).hasSize(QueueProtocol.ID_HEADER)
        .containsExactly(9, 0, 0, 0, 0, 0, 0, 0, 6);
    byte[] put = QueueProtocol.put(new byte[] {1, 2});
    assertThat(put).containsExactly(1, 1, 2);
    assertThat(QueueProtocol.putItem(put)).containsExactly(1, 2);
    assertThat(QueueProtocol.putWaitItem(QueueProtocol.request(QueueProtocol.PUT_WAIT, 1, 0, new byte[] {3})))
        .containsExactly(3);
  }

  @Test
  void aReplyIsOpIdPayload() {
    byte[] value = QueueProtocol.reply(QueueProtocol.R_VALUE, 2, QueueProtocol.valuePayload(258));
    assertThat(value).hasSize(QueueProtocol.VALUE_REPLY)
        .containsExactly(104, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 2);
    assertThat(QueueProtocol.value(value)).isEqualTo(258);
    byte[] error = QueueProtocol.reply(QueueProtocol.R_ERROR, 1, QueueProtocol.errorPayload("\u00e9"));
    assertThat(error).containsExactly(105, 0, 0, 0, 0, 0, 0, 0, 1, 0xC3 - 256, 0xA9 - 256);
    assertThat(QueueProtocol.errorText(error)).isEqualTo("\u00e9");
    assertThat(QueueProtocol.reply(QueueProtocol.R_OK, 7, null)).hasSize(QueueProtocol.REPLY_HEADER);
    assertThat(QueueProtocol.payload(QueueProtocol.reply(QueueProtocol.R_ITEM, 1, new byte[] {5})))
        .containsExactly(5);
    assertThat(QueueProtocol.hello(1)).hasSize(QueueProtocol.HELLO).containsExactly(0, 0, 0, 0, 0, 0, 0, 1);
    assertThat(QueueProtocol.queueId(QueueProtocol.hello(0x0102))).isEqualTo(0x0102);
  }
}
