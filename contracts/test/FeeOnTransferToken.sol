// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// @title FeeOnTransferToken
/// @notice TEST ONLY: a token that keeps 1% of every transfer (as some deflationary tokens do), so
/// the receiver gets less than was sent. The escrow must refuse to be funded with it: a milestone
/// must be backed by its full amount.
contract FeeOnTransferToken {
    /// The fee, in hundredths of the amount moved.
    uint256 private constant FEE_PERCENT = 1;
    uint256 private constant PERCENT = 100;

    mapping(address owner => uint256 balance) public balanceOf;
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// TEST ONLY: anyone may mint.
    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        // Checked arithmetic: an insufficient allowance reverts (Panic 0x11).
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 fee = (amount * FEE_PERCENT) / PERCENT;
        balanceOf[from] -= amount;
        balanceOf[to] += amount - fee;
        // The fee is burnt.
        emit Transfer(from, to, amount - fee);
        emit Transfer(from, address(0), fee);
    }
}
