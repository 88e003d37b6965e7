package io.splitplane.kernel.netlink;

import io.splitplane.kernel.sys.KernelException;
import java.util.Optional;

/**
 * The kernel refused an rtnetlink request. The message names the request, the errno and the
 * kernel's own explanation when it sent one (extended ACK), then what the request was about, e.g.
 * {@code RTM_NEWROUTE failed: ENETUNREACH (Network is unreachable): Nexthop has invalid gateway; route 10.9.0.0/24 table 254}.
 */
public class NetlinkException extends KernelException {
    private final int requestType;
    private final String extAckMessage;
    private final String requestName;

    public NetlinkException(int requestType, int errno, String extAckMessage, String context) {
        this(Rtm.name(requestType), requestType, errno, extAckMessage, context);
    }

    /** For protocols other than rtnetlink, whose message types say nothing by themselves. */
    public NetlinkException(String requestName, int requestType, int errno, String extAckMessage, String context) {
        super(requestName, errno, detail(extAckMessage, context));
        this.requestType = requestType;
        this.requestName = requestName;
        this.extAckMessage = extAckMessage == null || extAckMessage.isEmpty() ? null : extAckMessage;
    }

    private static String detail(String extAck, String context) {
        boolean hasExtAck = extAck != null && !extAck.isEmpty();
        boolean hasContext = context != null && !context.isEmpty();
        if (hasExtAck && hasContext) {
            return extAck + "; " + context;
        }
        return hasExtAck ? extAck : context;
    }

    /** The {@code nlmsg_type} of the failed request ({@code RTM_NEWROUTE} is 24). */
    public int requestType() {
        return requestType;
    }

    /** The request type by name, e.g. {@code "RTM_NEWROUTE"}. */
    public String requestName() {
        return requestName;
    }

    /** The kernel's explanation ({@code NLMSGERR_ATTR_MSG}), when it gave one. */
    public Optional<String> extAckMessage() {
        return Optional.ofNullable(extAckMessage);
    }
}
