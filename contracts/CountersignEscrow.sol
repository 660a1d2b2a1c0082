// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// The only ERC-20 functions the escrow calls. Declared here rather than imported so that this
/// file is the whole source of the deployed code, and the sha256 in its artifact covers all of it.
interface IERC20 {
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function transfer(address to, uint256 amount) external returns (bool);
    function balanceOf(address owner) external view returns (uint256);
}

/// @title CountersignEscrow
/// @notice Holds a payer's money for a payee in milestones, so that each milestone can be
/// released, disputed, split or refunded on chain, and taken by the payee after its release time
/// even when the payer's app is switched off.
///
/// Safety properties, each covered by test/contracts/escrowContract.test.ts:
/// - No owner, no admin, no upgrade path, no receive/fallback, no selfdestruct: only fund() brings
///   value in, and only the five milestone operations send it out, each exactly once per milestone.
/// - Every input of fund() is checked before any value moves: a fresh non-zero id, 1..50
///   milestones, equal lengths, no zero amount, a real payee, an expiry after every release time
///   and after now; native funding must send the sum exactly, token funding nothing.
/// - Fee-on-transfer tokens are refused: the contract's token balance must grow by exactly the sum
///   pulled, so every milestone is backed by its full amount.
/// - Only the payer can release, lock, resolve and refund; anyone can claim an open milestone
///   between its release time and the expiry (auto-release without the payer's app). A locked
///   (disputed) milestone cannot be claimed; it can only be resolved or refunded by the payer.
/// - Checks-effects-interactions: a milestone's new state is stored before any transfer, so a
///   re-entering payee or token finds it already settled.
/// - Tokens that return true, or nothing (USDT-style), succeed; a false return, a revert, or an
///   address without code fails. At most 32 bytes of return data are copied (no return bombs).
///
/// Milestones are 0-based here; people (and the app's port) count them from 1.
contract CountersignEscrow {
    enum State {
        None,
        Open,
        Locked,
        Released,
        Resolved,
        Refunded
    }

    struct Milestone {
        uint256 amount;
        uint64 releaseAfter;
        State state;
    }

    struct Escrow {
        address payer;
        uint64 expiry;
        address payee;
        address token;
        Milestone[] milestones;
    }

    /// More milestones than this would make one escrow's funding a gas risk, not a contract.
    uint256 public constant MILESTONES_MAX = 50;

    event Funded(
        bytes32 indexed id,
        address indexed payer,
        address indexed payee,
        address token,
        uint256 total,
        uint256 milestones,
        uint64 expiry
    );
    /// by is the payer (release) or whoever claimed (claim).
    event Released(bytes32 indexed id, uint256 indexed i, address to, uint256 amount, address by);
    event Locked(bytes32 indexed id, uint256 indexed i);
    event Resolved(bytes32 indexed id, uint256 indexed i, uint256 toPayee, uint256 toPayer);
    event Refunded(bytes32 indexed id, uint256 indexed i, uint256 amount);

    error ZeroEscrowId();
    error EscrowIdUsed(bytes32 id);
    error UnknownEscrow(bytes32 id);
    error MilestoneCount(uint256 count, uint256 max);
    error LengthMismatch(uint256 amountCount, uint256 releaseCount);
    error ZeroAmount(uint256 i);
    error InvalidPayee(address payee);
    error ExpiryNotAfterRelease(uint256 i, uint64 releaseAfter, uint64 expiry);
    error ExpiryPassed(uint64 expiry, uint256 nowSeconds);
    error ValueMismatch(uint256 expected, uint256 received);
    error TokenHasNoCode(address token);
    error TokenTransferFailed(address to, uint256 amount);
    error FeeOnTransferToken();
    error NativeTransferFailed(address to, uint256 amount);
    error NotPayer(address caller);
    error NoSuchMilestone(uint256 i, uint256 count);
    error WrongState(uint256 i, State state);
    error NotYetClaimable(uint64 releaseAfter, uint256 nowSeconds);
    error Expired(uint64 expiry, uint256 nowSeconds);
    error NotExpired(uint64 expiry, uint256 nowSeconds);
    error SplitMismatch(uint256 amount, uint256 toPayee, uint256 toPayer);

    mapping(bytes32 id => Escrow escrow) private _escrows;

    /// Locks sum(amounts) of token (address(0): native ETH) from msg.sender for payee.
    function fund(
        bytes32 id,
        address token,
        address payee,
        uint256[] calldata amounts,
        uint64[] calldata releaseAfter,
        uint64 expiry
    ) external payable {
        uint256 total = _validate(id, token, payee, amounts, releaseAfter, expiry);
        Escrow storage e = _escrows[id];
        e.payer = msg.sender;
        e.expiry = expiry;
        e.payee = payee;
        e.token = token;
        uint256 count = amounts.length;
        for (uint256 i = 0; i < count; ++i) {
            e.milestones.push(Milestone({amount: amounts[i], releaseAfter: releaseAfter[i], state: State.Open}));
        }

        if (token == address(0)) {
            if (msg.value != total) revert ValueMismatch(total, msg.value);
        } else {
            if (msg.value != 0) revert ValueMismatch(0, msg.value);
            if (token.code.length == 0) revert TokenHasNoCode(token);
            uint256 before = IERC20(token).balanceOf(address(this));
            if (!_callToken(token, abi.encodeCall(IERC20.transferFrom, (msg.sender, address(this), total)))) {
                revert TokenTransferFailed(address(this), total);
            }
            if (IERC20(token).balanceOf(address(this)) != before + total) revert FeeOnTransferToken();
        }
        emit Funded(id, msg.sender, payee, token, total, count, expiry);
    }

    /// The payer pays milestone i to the payee.
    function release(bytes32 id, uint256 i) external {
        Escrow storage e = _payerEscrow(id);
        Milestone storage m = _milestone(e, i);
        if (m.state != State.Open) revert WrongState(i, m.state);
        m.state = State.Released;
        _pay(e.token, e.payee, m.amount);
        emit Released(id, i, e.payee, m.amount, msg.sender);
    }

    /// The payer disputes milestone i before the expiry: nobody can claim it any more.
    function lock(bytes32 id, uint256 i) external {
        Escrow storage e = _payerEscrow(id);
        Milestone storage m = _milestone(e, i);
        if (m.state != State.Open) revert WrongState(i, m.state);
        if (block.timestamp >= e.expiry) revert Expired(e.expiry, block.timestamp);
        m.state = State.Locked;
        emit Locked(id, i);
    }

    /// The payer settles a disputed milestone: toPayee + toPayer must be its amount exactly.
    function resolve(bytes32 id, uint256 i, uint256 toPayee, uint256 toPayer) external {
        Escrow storage e = _payerEscrow(id);
        Milestone storage m = _milestone(e, i);
        if (m.state != State.Locked) revert WrongState(i, m.state);
        uint256 amount = m.amount;
        // Compared without adding, so two huge parts cannot overflow into a panic.
        if (toPayee > amount || toPayer != amount - toPayee) revert SplitMismatch(amount, toPayee, toPayer);
        m.state = State.Resolved;
        if (toPayee != 0) _pay(e.token, e.payee, toPayee);
        if (toPayer != 0) _pay(e.token, e.payer, toPayer);
        emit Resolved(id, i, toPayee, toPayer);
    }

    /// Anyone pays an open milestone to the payee once its release time has come, before expiry.
    function claim(bytes32 id, uint256 i) external {
        Escrow storage e = _escrow(id);
        Milestone storage m = _milestone(e, i);
        if (m.state != State.Open) revert WrongState(i, m.state);
        if (block.timestamp < m.releaseAfter) revert NotYetClaimable(m.releaseAfter, block.timestamp);
        if (block.timestamp >= e.expiry) revert Expired(e.expiry, block.timestamp);
        m.state = State.Released;
        _pay(e.token, e.payee, m.amount);
        emit Released(id, i, e.payee, m.amount, msg.sender);
    }

    /// The payer takes milestone i back: a locked one at any time, an open one from the expiry on.
    function refund(bytes32 id, uint256 i) external {
        Escrow storage e = _payerEscrow(id);
        Milestone storage m = _milestone(e, i);
        State state = m.state;
        if (state == State.Open) {
            if (block.timestamp < e.expiry) revert NotExpired(e.expiry, block.timestamp);
        } else if (state != State.Locked) {
            revert WrongState(i, state);
        }
        m.state = State.Refunded;
        _pay(e.token, e.payer, m.amount);
        emit Refunded(id, i, m.amount);
    }

    /// An unknown id answers zeros (payer address(0), 0 milestones).
    function escrowOf(
        bytes32 id
    ) external view returns (address payer, address payee, address token, uint64 expiry, uint256 milestones) {
        Escrow storage e = _escrows[id];
        return (e.payer, e.payee, e.token, e.expiry, e.milestones.length);
    }

    /// A milestone that does not exist answers zeros (state None).
    function milestoneOf(bytes32 id, uint256 i) external view returns (uint256 amount, uint64 releaseAfter, uint8 state) {
        Escrow storage e = _escrows[id];
        if (i >= e.milestones.length) return (0, 0, uint8(State.None));
        Milestone storage m = e.milestones[i];
        return (m.amount, m.releaseAfter, uint8(m.state));
    }

    /// Checks every input of fund() and returns the total; nothing is written.
    function _validate(
        bytes32 id,
        address token,
        address payee,
        uint256[] calldata amounts,
        uint64[] calldata releaseAfter,
        uint64 expiry
    ) private view returns (uint256 total) {
        if (id == bytes32(0)) revert ZeroEscrowId();
        if (_escrows[id].payer != address(0)) revert EscrowIdUsed(id);
        uint256 count = amounts.length;
        if (count == 0 || count > MILESTONES_MAX) revert MilestoneCount(count, MILESTONES_MAX);
        if (count != releaseAfter.length) revert LengthMismatch(count, releaseAfter.length);
        if (payee == address(0) || payee == address(this) || payee == token) revert InvalidPayee(payee);
        if (expiry <= block.timestamp) revert ExpiryPassed(expiry, block.timestamp);
        for (uint256 i = 0; i < count; ++i) {
            if (amounts[i] == 0) revert ZeroAmount(i);
            if (expiry <= releaseAfter[i]) revert ExpiryNotAfterRelease(i, releaseAfter[i], expiry);
            // Checked arithmetic: a sum past 2^256 - 1 reverts (Panic 0x11) instead of wrapping.
            total += amounts[i];
        }
    }

    function _escrow(bytes32 id) private view returns (Escrow storage e) {
        e = _escrows[id];
        if (e.payer == address(0)) revert UnknownEscrow(id);
    }

    function _payerEscrow(bytes32 id) private view returns (Escrow storage e) {
        e = _escrow(id);
        if (msg.sender != e.payer) revert NotPayer(msg.sender);
    }

    function _milestone(Escrow storage e, uint256 i) private view returns (Milestone storage) {
        if (i >= e.milestones.length) revert NoSuchMilestone(i, e.milestones.length);
        return e.milestones[i];
    }

    /// Sends amount of token (address(0): native) from this contract; reverts on any failure.
    function _pay(address token, address to, uint256 amount) private {
        if (token == address(0)) {
            bool ok;
            // All remaining gas is forwarded so contract wallets can receive; no return data is copied.
            assembly ("memory-safe") {
                ok := call(gas(), to, amount, 0, 0, 0, 0)
            }
            if (!ok) revert NativeTransferFailed(to, amount);
        } else if (!_callToken(token, abi.encodeCall(IERC20.transfer, (to, amount)))) {
            revert TokenTransferFailed(to, amount);
        }
    }

    /// Calls the token; true when it did not revert and returned true or nothing. The caller has
    /// checked that token has code (fund), or it had code when the escrow was funded.
    function _callToken(address token, bytes memory data) private returns (bool ok) {
        assembly ("memory-safe") {
            // Copy at most one word of return data, into scratch space.
            let success := call(gas(), token, 0, add(data, 0x20), mload(data), 0x00, 0x20)
            switch returndatasize()
            case 0 {
                ok := success
            }
            default {
                ok := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1)))
            }
        }
    }
}
