// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// The only ERC-20 function the batch calls. Declared here rather than imported so that this file
/// is the whole source of the deployed code, and the sha256 in its artifact covers all of it.
interface IERC20 {
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title CountersignBatch
/// @notice Pays many recipients in one transaction, all or nothing, so one signature on the
/// hardware wallet covers hundreds of payouts.
///
/// Safety properties, each covered by test/contracts:
/// - No owner, no admin, no upgrade path, no receive/fallback, no selfdestruct: nobody can steer
///   it, and it never holds funds between calls (native value is forwarded in the same call,
///   tokens move straight from the payer to each recipient).
/// - Every input is validated before any value moves: equal non-zero lengths, a non-zero
///   batchRef, no zero / self / token-contract recipient, no zero amount, and for native payouts
///   msg.value equal to the sum exactly (no dust left behind, no shortfall).
/// - All or nothing: if any single payout fails, the whole call reverts with an error naming the
///   index, so a chunk is either fully paid or not paid at all (never half-booked).
/// - A (payer, batchRef) pair can succeed once. If the same chunk were ever re-signed with a new
///   nonce by mistake, the duplicate reverts with BatchRefUsed instead of paying twice.
/// - payToken only ever pulls from msg.sender, so an allowance given to this contract can be spent
///   only by the approver's own transactions: nobody else can make it move the treasury's tokens.
/// - Tokens that return true, or nothing (USDT-style), succeed; a false return, a revert, or an
///   address without code fails. At most 32 bytes of return data are copied (no return bombs).
/// - One Paid event per payout, in array order, so booking links each payout to
///   (tx hash, log index); one BatchPaid event per call carries the count and the total.
///
/// batchRef names one call (one chunk of an application batch); the payout engine must choose a
/// distinct batchRef per chunk. Paid.index is the position in this call's arrays.
contract CountersignBatch {
    /// One payout made. Indexed by batchRef, index and recipient so any of them can be filtered.
    event Paid(bytes32 indexed batchRef, uint256 indexed index, address indexed recipient, uint256 amount);

    /// One call completed. token is address(0) for native payouts.
    event BatchPaid(bytes32 indexed batchRef, address indexed payer, address indexed token, uint256 count, uint256 total);

    error EmptyBatch();
    error LengthMismatch(uint256 recipientCount, uint256 amountCount);
    error ZeroBatchRef();
    error BatchRefUsed(address payer, bytes32 batchRef);
    error InvalidRecipient(uint256 index, address recipient);
    error ZeroAmount(uint256 index);
    error ValueMismatch(uint256 expectedTotal, uint256 receivedValue);
    error TokenHasNoCode(address token);
    error NativeTransferFailed(uint256 index, address recipient, uint256 amount);
    error TokenTransferFailed(uint256 index, address recipient, uint256 amount);

    /// payer => batchRef => already paid. Public so the payout engine can ask whether a chunk
    /// landed (e.g. after a reorg or a crash) with one eth_call.
    mapping(address payer => mapping(bytes32 batchRef => bool used)) public batchRefUsed;

    /// Pays native currency (ETH) to each recipient. msg.value must equal sum(amounts) exactly.
    function payNative(address[] calldata recipients, uint256[] calldata amounts, bytes32 batchRef) external payable {
        uint256 total = _validateAndClaim(recipients, amounts, batchRef, address(0));
        if (total != msg.value) revert ValueMismatch(total, msg.value);

        uint256 count = recipients.length;
        for (uint256 i = 0; i < count; ++i) {
            address recipient = recipients[i];
            uint256 amount = amounts[i];
            bool ok;
            // All remaining gas is forwarded so contract wallets (Safe, smart accounts) can receive;
            // a recipient that burns it only makes this call revert, which is the safe outcome.
            // No return data is copied, so a recipient cannot inflate our memory cost.
            assembly ("memory-safe") {
                ok := call(gas(), recipient, amount, 0, 0, 0, 0)
            }
            if (!ok) revert NativeTransferFailed(i, recipient, amount);
            emit Paid(batchRef, i, recipient, amount);
        }
        emit BatchPaid(batchRef, msg.sender, address(0), count, total);
    }

    /// Pays an ERC-20 token to each recipient, pulling from msg.sender (the treasury approves this
    /// contract for at least sum(amounts) first).
    function payToken(IERC20 token, address[] calldata recipients, uint256[] calldata amounts, bytes32 batchRef) external {
        // A call to an address without code succeeds with empty return data, which the
        // no-return-value rule below would take as a successful transfer: refuse it up front.
        if (address(token).code.length == 0) revert TokenHasNoCode(address(token));
        uint256 total = _validateAndClaim(recipients, amounts, batchRef, address(token));

        uint256 count = recipients.length;
        for (uint256 i = 0; i < count; ++i) {
            address recipient = recipients[i];
            uint256 amount = amounts[i];
            if (!_transferFrom(token, msg.sender, recipient, amount)) revert TokenTransferFailed(i, recipient, amount);
            emit Paid(batchRef, i, recipient, amount);
        }
        emit BatchPaid(batchRef, msg.sender, address(token), count, total);
    }

    /// Checks the whole call before any value moves, marks (msg.sender, batchRef) used, and returns
    /// the total. token is the ERC-20 being paid, or address(0) for native payouts.
    function _validateAndClaim(
        address[] calldata recipients,
        uint256[] calldata amounts,
        bytes32 batchRef,
        address token
    ) private returns (uint256 total) {
        uint256 count = recipients.length;
        if (count == 0) revert EmptyBatch();
        if (count != amounts.length) revert LengthMismatch(count, amounts.length);
        if (batchRef == bytes32(0)) revert ZeroBatchRef();
        if (batchRefUsed[msg.sender][batchRef]) revert BatchRefUsed(msg.sender, batchRef);
        // Marked before any external call, so a re-entering recipient cannot reuse the ref.
        batchRefUsed[msg.sender][batchRef] = true;

        for (uint256 i = 0; i < count; ++i) {
            address recipient = recipients[i];
            // address(0) burns, this contract would strand the funds, and most tokens lock
            // whatever is sent to their own address: all three are mistakes, never payouts.
            if (recipient == address(0) || recipient == address(this) || recipient == token) {
                revert InvalidRecipient(i, recipient);
            }
            uint256 amount = amounts[i];
            if (amount == 0) revert ZeroAmount(i);
            // Checked arithmetic: a sum past 2^256 - 1 reverts (Panic 0x11) instead of wrapping.
            total += amount;
        }
    }

    /// transferFrom that accepts tokens returning true or nothing, and rejects a false return or a
    /// revert. The caller has already checked that token has code.
    function _transferFrom(IERC20 token, address from, address to, uint256 amount) private returns (bool ok) {
        bytes4 selector = IERC20.transferFrom.selector;
        assembly ("memory-safe") {
            // Calldata is built past the free memory pointer and not kept, so memory does not grow
            // with the number of recipients (memory cost is quadratic in its size).
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), from)
            mstore(add(ptr, 0x24), to)
            mstore(add(ptr, 0x44), amount)
            // Copy at most one word of return data, into scratch space.
            let success := call(gas(), token, 0, ptr, 0x64, 0x00, 0x20)
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
