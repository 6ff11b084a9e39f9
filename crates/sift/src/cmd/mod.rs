pub mod analyze;
pub mod db;
pub mod demo;
pub mod evaluate;
pub mod frameworks;
pub mod qualify;
pub mod questions;
pub mod score;
