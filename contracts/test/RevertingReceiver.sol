// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// @title RevertingReceiver
/// @notice TEST ONLY: a contract that refuses every native payment, standing in for a recipient
/// (a contract wallet, an exchange deposit contract) that cannot receive ETH.
contract RevertingReceiver {
    error PaymentRefused(address sender, uint256 amount);

    receive() external payable {
        revert PaymentRefused(msg.sender, msg.value);
    }
}
