//! W1 benchmark placeholder of the foundation skeleton (the criterion bench is written on main).
fn main() {}
