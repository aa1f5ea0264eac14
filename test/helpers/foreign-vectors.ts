import { PASSWORD } from "./gateway.ts";

/**
 * Hash strings of other systems, each made by an implementation independent of ours (or published
 * with its algorithm), with the password that matches and the algorithm name the gateway records.
 * PASSWORD is "correct horse battery staple".
 */
export interface ForeignVector {
  hash: string;
  password: string;
  algorithm: string;
  source: string;
}

// Inputs of the python3 vectors below (hashlib/hmac of Python 3, base64 without padding):
//   salt = b"NaCl-salt-16byte" (TmFDbC1zYWx0LTE2Ynl0ZQ), pw = PASSWORD.encode()
const SALT = "TmFDbC1zYWx0LTE2Ynl0ZQ";

export const FOREIGN_VECTORS: ForeignVector[] = [
  // bcrypt: glibc/libxcrypt crypt(3) via python3 crypt.crypt(PASSWORD, "$2b$04$abcdefghijklmnopqrstuu")
  // (and the same setting with $2a$ / $2y$), and OpenBSD's test vector for "abc" (jBCrypt's list).
  { hash: "$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG", password: PASSWORD, algorithm: "bcrypt", source: "libxcrypt" },
  { hash: "$2a$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG", password: PASSWORD, algorithm: "bcrypt", source: "libxcrypt" },
  { hash: "$2y$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG", password: PASSWORD, algorithm: "bcrypt", source: "libxcrypt" },
  { hash: "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i", password: "abc", algorithm: "bcrypt", source: "OpenBSD" },
  // argon2: the argon2i/argon2id strings of lua-argon2's README (password "password", salt
  // "somesalt"), the argon2d one of John the Ripper's argon2 format tests.
  {
    hash: "$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A",
    password: "password",
    algorithm: "argon2i",
    source: "lua-argon2",
  },
  {
    hash: "$argon2d$v=19$m=4096,t=3,p=1$ZGFtYWdlX2RvbmU$w9w3s5/zV8+PcAZlJhnTCOE+vBkZssmZf6jOq3dKv50",
    password: "password",
    algorithm: "argon2d",
    source: "John the Ripper",
  },
  {
    hash: "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$qLml5cbqFAO6YxVHhrSBHP0UWdxrIxkNcM8aMX3blzU",
    password: "password",
    algorithm: "argon2id",
    source: "lua-argon2",
  },
  // md5-crypt: `openssl passwd -1 -salt sHaLt123 "$PASSWORD"`, and perl's crypt("x", '$1$ab$') (glibc).
  { hash: "$1$sHaLt123$0QLXhUu1AVrbnyfi.KdJ81", password: PASSWORD, algorithm: "md5-crypt", source: "openssl" },
  { hash: "$1$ab$e2KlfqG5YBMTjSz7XF.Eu1", password: "x", algorithm: "md5-crypt", source: "glibc" },
  // sha256/sha512-crypt: `openssl passwd -5|-6 -salt sHaLt123sHaLt123`, and glibc crypt(3) with
  // rounds=10000 via python3 crypt.crypt(PASSWORD, "$5$rounds=10000$saltstringsaltst").
  {
    hash: "$5$sHaLt123sHaLt123$Evp0o0Bj/9EMmfzEZwOCGe293TStiAokpcXfEnLLDL6",
    password: PASSWORD,
    algorithm: "sha256-crypt",
    source: "openssl",
  },
  {
    hash: "$6$sHaLt123sHaLt123$/XghytM64s2qYgYmtYjq95cH5KTn4rVVLDh5pA0FOnUifEo55YBnoeCmlPYT1iFG8Qz6852PmnyrF.PrZKiea.",
    password: PASSWORD,
    algorithm: "sha512-crypt",
    source: "openssl",
  },
  {
    hash: "$5$rounds=10000$saltstringsaltst$/8xNziK9e6bV8Ug7BN1rAvEE.fnpxG4NQxl11Kk0LuB",
    password: PASSWORD,
    algorithm: "sha256-crypt",
    source: "glibc",
  },
  {
    hash: "$6$rounds=10000$saltstringsaltst$vYfRg0cvt6jqN.cdxF22BORftytx0YPFkovksVubXuGbzxqnymO6iA22anPhq1CcF20s8mxa6wCNxLd21.zwA.",
    password: PASSWORD,
    algorithm: "sha512-crypt",
    source: "glibc",
  },
  // phpass: the hash of "test12345" in phpass 0.3's test.php; $H$ (phpBB) is the same algorithm.
  { hash: "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", password: "test12345", algorithm: "phpass", source: "phpass test.php" },
  { hash: "$H$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", password: "test12345", algorithm: "phpass", source: "phpass test.php" },
  // Django: python3 "pbkdf2_sha256$1000$seasalt$" + b64encode(hashlib.pbkdf2_hmac("sha256", pw,
  // b"seasalt", 1000)) (Django's PBKDF2PasswordHasher), the same with sha1; bcrypt_sha256 is
  // "bcrypt_sha256$" + crypt.crypt(hashlib.sha256(pw).hexdigest(), "$2b$05$ABCDEFGHIJKLMNOPQRSTUu").
  {
    hash: "pbkdf2_sha256$1000$seasalt$3xmXbyk2QpiyNcnoBbzRPwEBsYPTbDlRdtmLyBvQltA=",
    password: PASSWORD,
    algorithm: "django-pbkdf2_sha256",
    source: "python3",
  },
  { hash: "pbkdf2_sha1$1000$seasalt$9iRYj0as1r5j+cCBxB+HMlxkyr4=", password: PASSWORD, algorithm: "django-pbkdf2_sha1", source: "python3" },
  {
    hash: "bcrypt_sha256$$2b$05$ABCDEFGHIJKLMNOPQRSTUulY9.0hDxQULkXIiSLDaLLfERAkVgD9y",
    password: PASSWORD,
    algorithm: "django-bcrypt_sha256",
    source: "python3 + libxcrypt",
  },
  // scrypt: python3 hashlib.scrypt(pw, salt=salt, n=1024, r=8, p=1, dklen=32).
  {
    hash: `$scrypt$ln=10,r=8,p=1$${SALT}$by9R1W30XoOme15C6qvnZsUn0xVYPqIzWEv5WDr2x7U`,
    password: PASSWORD,
    algorithm: "scrypt",
    source: "python3",
  },
  // Firebase scrypt: the sample of github.com/firebase/scrypt's README (signer key, separator Bw==,
  // rounds 8, mem cost 14, salt 42xEC+ixf3L2lw==, password user1password).
  {
    hash:
      "$firebase-scrypt$rounds=8,mem=14,sep=Bw,key=jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA" +
      "$42xEC+ixf3L2lw$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ",
    password: "user1password",
    algorithm: "firebase-scrypt",
    source: "firebase/scrypt README",
  },
  // PBKDF2: python3 hashlib.pbkdf2_hmac(digest, pw, salt, iterations, length).
  { hash: `$pbkdf2-sha1$i=1000,l=20$${SALT}$cqBPZj2QY98D/xNa8/VLpcxn7As`, password: PASSWORD, algorithm: "pbkdf2-sha1", source: "python3" },
  {
    hash: `$pbkdf2-sha256$i=1000,l=32$${SALT}$Jugq9HLp0kiG8coClbTLuSrtU10JhPkMCuk6sd0sEZ4`,
    password: PASSWORD,
    algorithm: "pbkdf2-sha256",
    source: "python3",
  },
  {
    hash: `$pbkdf2-sha256$i=2000,l=64$${SALT}$PNWCwb0bKzPg//D6O3pB7UPPfNXHQur3dsxgRYN/liuRwm72jogmktoslktvg6a1wYF+pXzVpKVR779VRZxSLQ`,
    password: PASSWORD,
    algorithm: "pbkdf2-sha256",
    source: "python3",
  },
  {
    hash: `$pbkdf2-sha512$i=1000,l=32$${SALT}$6YY88kRSrThK34g8uUPKLx20sFuG8U9ybMoERAM9hPY`,
    password: PASSWORD,
    algorithm: "pbkdf2-sha512",
    source: "python3",
  },
  // Salted digests: python3 hashlib.new(digest, salt + pw) (prefix) or (pw + salt) (suffix).
  { hash: `$salted-md5$pos=prefix$${SALT}$RwgYBRMVanQ78rMDp/6kUw`, password: PASSWORD, algorithm: "salted-md5", source: "python3" },
  { hash: `$salted-md5$pos=suffix$${SALT}$FDANJ23rJGWAsuY8XEPEPw`, password: PASSWORD, algorithm: "salted-md5", source: "python3" },
  { hash: `$salted-sha1$pos=prefix$${SALT}$OEWLC5jYG6ZFb9xGzibHIMMA/s0`, password: PASSWORD, algorithm: "salted-sha1", source: "python3" },
  { hash: `$salted-sha1$pos=suffix$${SALT}$EMYTR9D+O5gDoB9OP79PzM+uY5A`, password: PASSWORD, algorithm: "salted-sha1", source: "python3" },
  {
    hash: `$salted-sha256$pos=prefix$${SALT}$oB4rXl99ln47uhQz3tuwxo1o88G7JD9Zj6aXbZj/Izs`,
    password: PASSWORD,
    algorithm: "salted-sha256",
    source: "python3",
  },
  {
    hash: `$salted-sha256$pos=suffix$${SALT}$BoUfPp9qnk5vRZs/p8DLU8OluTnVx0EuhzqUxrMMcZo`,
    password: PASSWORD,
    algorithm: "salted-sha256",
    source: "python3",
  },
  {
    hash: `$salted-sha512$pos=prefix$${SALT}$kFUS6LBUuVHGKwf9Pq11LChkuzjIHORIIruYuoSWjgjtCY9oi11bPKV04eE9ByS74hgzCp7DF8q6cm8QVTccbA`,
    password: PASSWORD,
    algorithm: "salted-sha512",
    source: "python3",
  },
  {
    hash: `$salted-sha512$pos=suffix$${SALT}$u/Na2V3yyygWvrImU/wqhEqsWnnQ3MXbSTSmEZiP9TbJGkrCSt5qzTVOgN9wKzxv9Q05e2SpK/NtMMmxQDKjzg`,
    password: PASSWORD,
    algorithm: "salted-sha512",
    source: "python3",
  },
  // HMAC-SHA256: python3 hmac.new(b"server-side hmac key", pw, "sha256").
  {
    hash: "$hmac-sha256$key=c2VydmVyLXNpZGUgaG1hYyBrZXk$KIfJL49bRjpUNfI+Q0213u91+sWeJUxRGPPAEqPDfLE",
    password: PASSWORD,
    algorithm: "hmac-sha256",
    source: "python3",
  },
];
