package io.github.multiprocessing4j.cluster;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link ClusterMember}'s command line and the builder's checks, without starting a member. */
final class ClusterMemberArgsTest {

  @Test
  void everyOptionIsAccepted() {
    assertThatCode(() -> ClusterMember.parse(new String[] {"--join", "h1,h2:5702", "--workers", "3",
        "--bind", "127.0.0.1", "--allow-non-loopback", "--port", "5801", "--cluster-name", "x"}))
        .doesNotThrowAnyException();
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> ClusterMember.parse(new String[] {"--jion", "h1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option --jion");
    assertThatThrownBy(() -> ClusterMember.parse(new String[] {"--workers", "many"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--workers needs a number, not many");
    assertThatThrownBy(() -> ClusterMember.parse(new String[] {"--join"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--join needs a value");
    assertThatThrownBy(() -> ClusterMember.parse(new String[] {"--workers", "-1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers must be 0 or more");
    assertThatThrownBy(() -> ClusterMember.parse(new String[] {"--port", "0"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port must be 1 to 65535");
    assertThatThrownBy(() -> Cluster.builder().join("h1", " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
    assertThatThrownBy(() -> Cluster.builder().clusterName(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
  }

  @Test
  void aLoopbackBindNeedsNoOptInAndAnUnknownHostIsNamed() {
    assertThatCode(() -> MemberConfigs.checkBind("127.0.0.1", false)).doesNotThrowAnyException();
    assertThatCode(() -> MemberConfigs.checkBind("10.1.2.3", true)).doesNotThrowAnyException();
    assertThatThrownBy(() -> MemberConfigs.checkBind("no-such-host.invalid", false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-host.invalid");
  }
}
