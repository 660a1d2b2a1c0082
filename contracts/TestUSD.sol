// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// @title TestUSD
/// @notice A 6-decimal, USDC-like ERC-20 for the sandbox and tests. TEST ONLY: the deployer can
/// mint any amount, so it must never be mistaken for a real stablecoin.
///
/// Standard ERC-20 behaviour: Transfer and Approval events, transfer/transferFrom return true and
/// revert on failure, an allowance of type(uint256).max is never decremented (as USDC does not).
contract TestUSD {
    string public constant name = "Countersign Test USD (test only)";
    string public constant symbol = "tUSD";
    uint8 public constant decimals = 6;

    /// The only account allowed to mint: whoever deployed this contract.
    address public immutable minter;

    uint256 public totalSupply;
    mapping(address owner => uint256 balance) public balanceOf;
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error NotMinter(address caller);
    error ZeroAddress();
    error InsufficientBalance(address from, uint256 balance, uint256 needed);
    error InsufficientAllowance(address owner, address spender, uint256 allowance, uint256 needed);

    constructor() {
        minter = msg.sender;
    }

    /// TEST ONLY: creates tokens out of nothing for `to`.
    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        if (to == address(0)) revert ZeroAddress();
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        if (spender == address(0)) revert ZeroAddress();
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert InsufficientAllowance(from, msg.sender, allowed, amount);
            unchecked {
                allowance[from][msg.sender] = allowed - amount;
            }
        }
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        if (to == address(0)) revert ZeroAddress();
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        unchecked {
            // balance >= amount was checked above, and the total supply bounds every balance,
            // so neither line can wrap.
            balanceOf[from] = balance - amount;
            balanceOf[to] += amount;
        }
        emit Transfer(from, to, amount);
    }
}
